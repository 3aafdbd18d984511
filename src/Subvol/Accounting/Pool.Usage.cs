using Subvol.Accounting;
using Subvol.Errors;
using Subvol.Linux;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>Referenced, exclusive and shared bytes of every subvolume and snapshot, from their extent maps.</summary>
    public SpaceUsage Usage()
    {
        var (present, perImage, allocated) = Sharing();
        var usage = FileSystemStatistics.Get(_layout.Root);
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
    private Dictionary<string, long> ExclusiveBytes() =>
        Sharing().PerImage.ToDictionary(entry => entry.Key, entry => entry.Value.Exclusive);

    private (List<(string Name, bool IsSnapshot, long Size, string Path)> Present, Dictionary<string, (long Referenced, long Exclusive)> PerImage, long Allocated) Sharing()
    {
        var images = new List<(string Name, bool IsSnapshot, long Size, string Path)>();
        images.AddRange(_database.ListSubvolumes().Select(subvolume => (subvolume.Name, false, subvolume.Size, _layout.SubvolumeImage(subvolume.Name))));
        images.AddRange(_database.ListSnapshots().Select(snapshot => ($"{snapshot.SubvolumeName}@{snapshot.Name}", true, snapshot.Size, _layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name))));
        // A link in place of an image counts as present, so that reading its extents refuses it and the listing says so.
        var present = images.Where(image => _files.Exists(image.Path)).ToList();
        var maps = present.ToDictionary(image => image.Name, image => _files.ReadExtents(image.Path));
        var (perImage, allocated) = SharingCalculator.Compute(maps);
        return (present, perImage, allocated);
    }
}
