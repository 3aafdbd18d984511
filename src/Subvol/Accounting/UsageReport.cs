using Subvol.Linux;
using Subvol.Metadata;
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
        var images = Images();
        var reading = Read(images);
        var usage = FileSystemStatistics.Get(session.Layout.Root);
        return new SpaceUsage(
            images.Where(image => reading.Images.ContainsKey(image.Name))
                .Select(image => new ImageUsage(image.Name, image.IsSnapshot, image.Size, reading.Images[image.Name].Referenced, reading.Images[image.Name].Exclusive))
                .ToList(),
            usage.TotalBytes,
            usage.TotalBytes - usage.FreeBytes,
            usage.AvailableBytes)
        {
            Allocated = reading.Allocated,
        };
    }

    /// <summary>Exclusive bytes of every image, by subvolume name or NAME@SNAP.</summary>
    public Dictionary<string, long> ExclusiveBytes() =>
        Read().Images.ToDictionary(entry => entry.Key, entry => entry.Value.Exclusive);

    /// <summary>The figures of every image present, from the stored reading while the pool is as it was then, else from the extent maps.</summary>
    public UsageReading Read() => Read(Images());

    /// <summary>The same, for a caller that has read every snapshot's row already, so that a listing reads them once.</summary>
    public UsageReading Read(IReadOnlyList<SnapshotRecord> snapshots) => Read(Images(snapshots));

    /// <summary>The figures of every image present, read from the extent maps now, whatever is stored.</summary>
    internal UsageReading ReadExtentMaps() => ReadExtentMaps(Images());

    private UsageReading Read(List<PoolImage> images) => new StoredUsage(session).Read(images, () => ReadExtentMaps(images));

    private List<PoolImage> Images() => Images(session.Database.ListSnapshots());

    private List<PoolImage> Images(IReadOnlyList<SnapshotRecord> snapshots)
    {
        var subvolumes = session.Database.ListSubvolumes();
        var images = new List<PoolImage>(subvolumes.Count + snapshots.Count);
        images.AddRange(subvolumes.Select(subvolume => new PoolImage(subvolume.Name, false, subvolume.Size, session.Layout.SubvolumesDirectory, PoolLayout.ImageFileName(subvolume.Name))));
        // The snapshots of a subvolume come together, and share one string for their directory.
        (string Subvolume, string Directory) current = (string.Empty, string.Empty);
        foreach (var snapshot in snapshots)
        {
            if (current.Subvolume != snapshot.SubvolumeName)
            {
                current = (snapshot.SubvolumeName, session.Layout.SnapshotDirectory(snapshot.SubvolumeName));
            }

            images.Add(new PoolImage($"{snapshot.SubvolumeName}@{snapshot.Name}", true, snapshot.Size, current.Directory, PoolLayout.ImageFileName(snapshot.Name)));
        }

        return images;
    }

    private UsageReading ReadExtentMaps(List<PoolImage> images)
    {
        // A link in place of an image counts as present, so that reading its extents refuses it and the listing says so.
        var allocated = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var image in images)
        {
            var status = session.Files.Status(image.Path);
            if (status.Kind != EntryKind.Missing)
            {
                allocated[image.Name] = status.Kind == EntryKind.File ? status.AllocatedBytes : 0;
            }
        }

        var maps = images.Where(image => allocated.ContainsKey(image.Name)).ToDictionary(image => image.Name, image => session.Files.ReadExtents(image.Path));
        var (perImage, total) = SharingCalculator.Compute(maps);
        return new UsageReading(
            perImage.ToDictionary(entry => entry.Key, entry => new ImageFigures(allocated[entry.Key], entry.Value.Referenced, entry.Value.Exclusive), StringComparer.Ordinal),
            total);
    }
}
