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
    /// <param name="usage">The pool's usage when the caller has already read it; null reads it.</param>
    public IReadOnlyList<SnapshotInfo> List(string? subvolume, UsageReading? usage = null)
    {
        if (subvolume is not null)
        {
            session.RequireSubvolume(subvolume);
        }

        usage ??= new UsageReport(session).Read();
        return Query(subvolume, snapshot: null, usage).ToList();
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

        return Query(subvolume, snapshot, usage: null).ToList();
    }

    public SnapshotInfo Get(SnapshotReference reference) => Describe(session.RequireSnapshot(reference));

    public SnapshotInfo Describe(SnapshotRecord record) => Describe(record, mounts: null, usage: null, BasesOf(record.SubvolumeName), session.Database.SnapshotGroupNames());

    /// <summary>
    /// A snapshot this session has just published, without asking the kernel where it is mounted: its image did not exist a
    /// moment ago, and the write lock still held keeps Subvol from mounting it.
    /// </summary>
    public SnapshotInfo DescribePublished(SnapshotRecord record) => Describe(record, MountTable.Empty, usage: null, BasesOf(record.SubvolumeName), session.Database.SnapshotGroupNames());

    /// <param name="mounts">The kernel's mounts read once for a whole listing; null to ask the kernel about this image alone.</param>
    /// <param name="usage">
    /// The pool's usage, which gives a listing the allocated and exclusive bytes of each snapshot (an image that is
    /// not there holds none); null to look at this image alone, without exclusive bytes.
    /// </param>
    /// <param name="bases">The targets each snapshot is the replication base for, by snapshot GUID.</param>
    /// <param name="groups">The group each snapshot taken in one belongs to, by snapshot GUID.</param>
    private SnapshotInfo Describe(SnapshotRecord record, MountTable? mounts, UsageReading? usage, ILookup<Guid, string> bases, Dictionary<Guid, string> groups)
    {
        var image = session.Layout.SnapshotImage(record.SubvolumeName, record.Name);
        var mountPoint = mounts is null ? ImageMounts.Find(image).FirstOrDefault()?.Target : mounts.MountPointOf(image);
        var figures = usage?.Images.GetValueOrDefault($"{record.SubvolumeName}@{record.Name}");
        var allocated = usage is null ? session.Files.AllocatedBytes(image) : figures?.Allocated ?? 0;
        return new SnapshotInfo(record.SubvolumeName, record.Name, record.Guid, record.Size, record.FileSystem, record.Created, allocated, mountPoint)
        {
            Exclusive = usage is null ? null : figures?.Exclusive ?? 0,
            Creator = record.Creator,
            Group = groups.GetValueOrDefault(record.Guid),
            Frozen = record.Frozen,
            // The one empty list when there is none, so that two readings of a snapshot without bases stay equal.
            BaseFor = bases.Contains(record.Guid) ? bases[record.Guid].ToArray() : Array.Empty<string>(),
        };
    }

    private IEnumerable<SnapshotInfo> Query(string? subvolume, string? snapshot, UsageReading? usage)
    {
        var mounts = MountTable.Read();
        var bases = BasesOf(subvolume);
        var groups = session.Database.SnapshotGroupNames();
        return session.Database.ListSnapshots(subvolume)
            .Where(record => snapshot is null || record.Name == snapshot)
            .Select(record => Describe(record, mounts, usage, bases, groups));
    }

    private ILookup<Guid, string> BasesOf(string? subvolume) => session.Database.ListReplicationBases(subvolume).ToLookup(recorded => recorded.Snapshot, recorded => recorded.Target);
}
