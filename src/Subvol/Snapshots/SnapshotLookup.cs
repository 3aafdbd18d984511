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
    public IReadOnlyList<SnapshotInfo> List(string? subvolume)
    {
        if (subvolume is not null)
        {
            session.RequireSubvolume(subvolume);
        }

        // Every row is read once, for the usage and for the listing: the rows of thousands of snapshots cost more than one reading.
        var records = session.Database.ListSnapshots();
        return List(subvolume, records, new UsageReport(session).Read(records), MountTable.Read());
    }

    /// <summary>The snapshots of one subvolume, or of all, from every snapshot's row and the pool's usage that the caller has read.</summary>
    /// <param name="records">Every snapshot's row, as <see cref="PoolDatabase.ListSnapshots"/> orders them.</param>
    /// <param name="mounts">The kernel's loop devices and mounts, read for this listing.</param>
    public IReadOnlyList<SnapshotInfo> List(string? subvolume, IReadOnlyList<SnapshotRecord> records, UsageReading usage, MountTable mounts)
    {
        var mounted = new SnapshotMounts(mounts, session.Layout);
        var bases = BasesOf(subvolume);
        var groups = session.Database.SnapshotGroupNames();
        return records
            .Where(record => subvolume is null || record.SubvolumeName == subvolume)
            .Select(record => Describe(record, mounted, usage, bases, groups))
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

        return Query(subvolume, snapshot, usage: null).ToList();
    }

    public SnapshotInfo Get(SnapshotReference reference) => Describe(session.RequireSnapshot(reference));

    public SnapshotInfo Describe(SnapshotRecord record) => Describe(record, mounts: null, usage: null, BasesOf(record.SubvolumeName), session.Database.SnapshotGroupNames());

    /// <summary>
    /// A snapshot this session has just published, without asking the kernel where it is mounted: its image did not exist a
    /// moment ago, and the write lock still held keeps Subvol from mounting it.
    /// </summary>
    public SnapshotInfo DescribePublished(SnapshotRecord record) =>
        Describe(record, new SnapshotMounts(MountTable.Empty, session.Layout), usage: null, BasesOf(record.SubvolumeName), session.Database.SnapshotGroupNames());

    /// <param name="mounts">The pool's mounted snapshots read once for a whole listing; null to ask the kernel about this image alone.</param>
    /// <param name="usage">
    /// The pool's usage, which gives a listing the allocated and exclusive bytes of each snapshot (an image that is
    /// not there holds none); null to look at this image alone, without exclusive bytes.
    /// </param>
    /// <param name="bases">The targets each snapshot is the replication base for, by snapshot GUID.</param>
    /// <param name="groups">The group each snapshot taken in one belongs to, by snapshot GUID.</param>
    private SnapshotInfo Describe(SnapshotRecord record, SnapshotMounts? mounts, UsageReading? usage, ILookup<Guid, string> bases, Dictionary<Guid, string> groups)
    {
        // A listing looks its rows up by name, and needs the path of no image.
        var image = mounts is null || usage is null ? session.Layout.SnapshotImage(record.SubvolumeName, record.Name) : null;
        var mountPoint = mounts is null ? ImageMounts.Find(image!).FirstOrDefault()?.Target : mounts.MountPointOf(record);
        var figures = usage?.Images.GetValueOrDefault($"{record.SubvolumeName}@{record.Name}");
        var allocated = usage is null ? session.Files.AllocatedBytes(image!) : figures?.Allocated ?? 0;
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
        var mounts = new SnapshotMounts(MountTable.Read(), session.Layout);
        var bases = BasesOf(subvolume);
        var groups = session.Database.SnapshotGroupNames();
        return session.Database.ListSnapshots(subvolume)
            .Where(record => snapshot is null || record.Name == snapshot)
            .Select(record => Describe(record, mounts, usage, bases, groups));
    }

    private ILookup<Guid, string> BasesOf(string? subvolume) => session.Database.ListReplicationBases(subvolume).ToLookup(recorded => recorded.Snapshot, recorded => recorded.Target);
}
