using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Accounting;

/// <summary>
/// What every subvolume and snapshot of the pool references, holds alone and shares, read from
/// their extent maps; the one place that reads them all.
/// </summary>
internal sealed class UsageReport(PoolSession session)
{
    /// <summary>Referenced, exclusive and shared bytes of every subvolume and snapshot, with the pool's totals.</summary>
    public SpaceUsage Usage()
    {
        var (present, perImage, allocated) = Sharing();
        var usage = FileSystemStatistics.Get(session.Layout.Root);
        return new SpaceUsage(
            present.Select(image => new ImageUsage(image.Name, image.IsSnapshot, image.Size, perImage[image.Name].Referenced, perImage[image.Name].Exclusive)).ToList(),
            usage.TotalBytes,
            usage.TotalBytes - usage.FreeBytes,
            usage.AvailableBytes)
        {
            Allocated = allocated,
        };
    }

    /// <summary>Exclusive bytes of every image, by subvolume name or NAME@SNAP.</summary>
    public Dictionary<string, long> ExclusiveBytes() =>
        Sharing().PerImage.ToDictionary(entry => entry.Key, entry => entry.Value.Exclusive);

    /// <summary>The images present, each one's referenced and exclusive bytes by name, and the host bytes they hold between them.</summary>
    public (List<(string Name, bool IsSnapshot, long Size, string Path)> Present, Dictionary<string, (long Referenced, long Exclusive)> PerImage, long Allocated) Sharing()
    {
        var images = new List<(string Name, bool IsSnapshot, long Size, string Path)>();
        images.AddRange(session.Database.ListSubvolumes().Select(subvolume => (subvolume.Name, false, subvolume.Size, session.Layout.SubvolumeImage(subvolume.Name))));
        images.AddRange(session.Database.ListSnapshots().Select(snapshot => ($"{snapshot.SubvolumeName}@{snapshot.Name}", true, snapshot.Size, session.Layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name))));
        // A link in place of an image counts as present, so that reading its extents refuses it and the listing says so.
        var present = images.Where(image => session.Files.Exists(image.Path)).ToList();
        var maps = present.ToDictionary(image => image.Name, image => session.Files.ReadExtents(image.Path));
        var (perImage, allocated) = SharingCalculator.Compute(maps);
        return (present, perImage, allocated);
    }
}
