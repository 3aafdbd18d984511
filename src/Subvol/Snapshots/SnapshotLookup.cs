using Subvol.Accounting;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Subvolumes;

namespace Subvol.Snapshots;

/// <summary>Snapshots as front ends show them: one query, with or without the usage that only every extent map can tell.</summary>
internal sealed class SnapshotLookup(PoolSession session)
{
    /// <summary>The snapshots of one subvolume, or of all, with their exclusive bytes; an unknown subvolume is an error.</summary>
    /// <param name="exclusive">Exclusive bytes by image name when the caller has already read every extent map; null reads them.</param>
    public IReadOnlyList<SnapshotInfo> List(string? subvolume, IReadOnlyDictionary<string, long>? exclusive = null)
    {
        if (subvolume is not null)
        {
            session.RequireSubvolume(subvolume);
        }

        exclusive ??= new UsageReport(session).ExclusiveBytes();
        return Query(subvolume, snapshot: null)
            .Select(info => info with { Exclusive = exclusive.GetValueOrDefault(info.FullName) })
            .ToList();
    }

    /// <summary>
    /// Snapshots by subvolume and name, either of which may be left out, without usage; a subvolume
    /// that does not exist (or cannot) simply has none, since callers that poll often ask for anything.
    /// </summary>
    public IReadOnlyList<SnapshotInfo> Find(string? subvolume, string? snapshot)
    {
        if (subvolume is not null && (NameRules.Problem(subvolume) is not null || session.Database.FindSubvolume(subvolume) is null))
        {
            return [];
        }

        return Query(subvolume, snapshot).ToList();
    }

    public SnapshotInfo Get(SnapshotReference reference) => Describe(session.RequireSnapshot(reference));

    public SnapshotInfo Describe(SnapshotRecord record) => Describe(record, mounts: null);

    /// <param name="mounts">The kernel's mounts read once for a whole listing; null to ask the kernel about this image alone.</param>
    private SnapshotInfo Describe(SnapshotRecord record, MountTable? mounts)
    {
        var image = session.Layout.SnapshotImage(record.SubvolumeName, record.Name);
        var mountPoint = mounts is null ? ImageMounts.Find(image).FirstOrDefault()?.Target : mounts.MountPointOf(image);
        return new SnapshotInfo(record.SubvolumeName, record.Name, record.Guid, record.Size, record.FileSystem, record.Created, session.Files.AllocatedBytes(image), mountPoint)
        {
            Creator = record.Creator,
        };
    }

    private IEnumerable<SnapshotInfo> Query(string? subvolume, string? snapshot)
    {
        var mounts = MountTable.Read();
        return session.Database.ListSnapshots(subvolume)
            .Where(record => snapshot is null || record.Name == snapshot)
            .Select(record => Describe(record, mounts));
    }
}
