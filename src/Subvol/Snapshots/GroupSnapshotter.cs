using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol.Snapshots;

/// <summary>
/// Snapshots of several subvolumes at one instant, as a database and its log on two volumes need. Every mounted
/// member is frozen, in the order of their mount points and each with its freeze record and thaw watchdog; every
/// image is cloned; all are thawed. Only when every clone succeeded is anything published, and the snapshots are
/// recorded in one metadata transaction with one creation time: all of the group, or none of it.
/// </summary>
internal sealed class GroupSnapshotter(PoolSession session, SpaceAdmission space)
{
    private PoolLayout Layout => session.Layout;

    private PoolDatabase Database => session.Database;

    private PoolFiles Files => session.Files;

    public IReadOnlyList<SnapshotInfo> Create(IReadOnlyList<SnapshotReference> references, string? creator)
    {
        using var writeLock = session.AcquireWriteLock();
        return CreateLocked(references, creator, group: null);
    }

    /// <summary>As <see cref="Create"/>, for a caller that already holds the pool's write lock.</summary>
    /// <param name="group">The name the group is recorded under, with its members, in the same transaction; null records no group.</param>
    public IReadOnlyList<SnapshotInfo> CreateLocked(IReadOnlyList<SnapshotReference> references, string? creator, string? group)
    {
        var members = Admit(references);
        var created = Clock.Now;
        var published = new List<string>();
        var records = new List<SnapshotRecord>();
        try
        {
            CloneAtOneInstant(members);
            foreach (var member in members)
            {
                member.WriteStamp = member.Devices.Count == 0 ? WriteStamp.Apply(Files, member.Image) : null;
                Files.CreateDirectory(Layout.SnapshotDirectory(member.Record.Name));
                ImageIdentity.Write(Files, member.Partial, new ImageIdentity(
                    member.Guid, ImageKind.Snapshot, member.Record.Guid, created, member.Record.Provisioning, Files.Status(member.Partial).Size, member.Record.FileSystem)
                {
                    Creator = creator,
                    WrappedKey = member.Record.WrappedKey,
                });
                Files.Publish(member.Partial, member.Destination);
                published.Add(member.Destination);
            }

            PausePoint.Reach("group-snapshot-published");
            using var transaction = Database.BeginTransaction();
            foreach (var member in members)
            {
                records.Add(Database.InsertSnapshot(
                    member.Record, member.Reference.Snapshot, member.Guid, Files.Status(member.Destination).Size, member.Record.FileSystem, created, creator, member.Frozen, member.Record.WrappedKey));
                Database.UpdateWriteStamp(member.Record.Id, member.WriteStamp);
            }

            if (group is not null)
            {
                Database.InsertSnapshotGroup(group, created, creator, members.Select(member => new SnapshotGroupMember(member.Reference.Subvolume, member.Reference.Snapshot, member.Guid)).ToList());
            }

            transaction.Commit();
        }
        catch (Exception exception)
        {
            // Nothing of a group that failed stays: neither the clones still in incoming/ nor those already named.
            foreach (var member in members)
            {
                Files.Delete(member.Partial);
            }

            foreach (var destination in published)
            {
                Files.Delete(destination);
            }

            if (exception is SystemCallException failed)
            {
                throw ErrorTranslation.During("cannot take the group snapshot", failed);
            }

            throw;
        }

        foreach (var member in members)
        {
            Files.SetImmutable(member.Destination, true);
            ImageIdentity.Refresh(Files, member.Image, ImageIdentity.Of(member.Record with { WriteStamp = member.WriteStamp }));
        }

        var lookup = new SnapshotLookup(session);
        return records.Select(lookup.DescribePublished).ToList();
    }

    /// <summary>Checks the whole group before anything is frozen: names, one snapshot per subvolume, and the room their headroom needs.</summary>
    private List<Member> Admit(IReadOnlyList<SnapshotReference> references)
    {
        if (references.Count == 0)
        {
            throw SubvolException.Invalid("a group snapshot needs at least one NAME@SNAPSHOT");
        }

        var members = new List<Member>();
        foreach (var reference in references)
        {
            NameRules.Validate(reference.Snapshot, "snapshot");
            var record = session.RequireSubvolume(reference.Subvolume);
            if (members.Any(member => member.Reference.Subvolume == reference.Subvolume))
            {
                throw SubvolException.Invalid($"subvolume {Printable.Quote(reference.Subvolume)} is named twice; a group holds one snapshot of each subvolume");
            }

            if (Database.FindSnapshot(reference.Subvolume, reference.Snapshot) is not null)
            {
                throw SubvolException.AlreadyExists($"snapshot {reference} already exists; choose another name");
            }

            var image = Layout.SubvolumeImage(reference.Subvolume);
            var guid = Guid.NewGuid();
            members.Add(new Member(reference, record, image, Layout.PartialImage(guid), Layout.SnapshotImage(reference.Subvolume, reference.Snapshot), guid, ImageMounts.MountingOrHolding(image)));
        }

        var guaranteed = members.Where(member => member.Record.Provisioning == Provisioning.Guaranteed).ToList();
        if (guaranteed.Count > 0)
        {
            // As for one snapshot: every written block a member holds alone becomes shared, and may need copying again.
            space.EnsureCanReserve(
                guaranteed.Sum(member => member.Record.Size),
                () => guaranteed.Sum(member => Headroom.SharedBySnapshot(Files, member.Image, member.Record.Size)),
                $"a group snapshot of {string.Join(", ", guaranteed.Select(member => Printable.Quote(member.Reference.Subvolume)))}");
        }

        return members;
    }

    /// <summary>Freezes every mounted member in mount-point order, clones every image, and thaws them all, whatever happens.</summary>
    private void CloneAtOneInstant(IReadOnlyList<Member> members)
    {
        var frozen = new List<(Member Member, FreezeRecord Record, ThawWatchdog Watchdog, Freeze Freeze, long Started)>();
        try
        {
            foreach (var member in members.Where(member => member.Mount is not null).OrderBy(member => member.Mount!.Target, StringComparer.Ordinal))
            {
                // The record goes first and the watchdog second, so that whatever kills this process, the thaw is owed by someone.
                var record = FreezeRecord.Write(Files, Layout.FreezeDirectory, member.Reference.Subvolume, member.Mount!.Target);
                var watchdog = ThawWatchdog.Start(member.Mount.Target, record.Path);
                // Writers wait from the start of FIFREEZE, which flushes the filesystem before it returns.
                var started = System.Diagnostics.Stopwatch.GetTimestamp();
                frozen.Add((member, record, watchdog, SnapshotFreeze.Begin(Files, record, watchdog, member.Reference.Subvolume, member.Mount.Target), started));
            }

            PausePoint.Reach("group-snapshot-frozen");
            foreach (var member in members)
            {
                Files.Clone(member.Image, member.Partial);
            }
        }
        finally
        {
            // Every member is thawed even when one refuses, so no refusal keeps the others frozen; the first is reported after.
            Exception? refusedThaw = null;
            foreach (var (member, record, watchdog, freeze, started) in Enumerable.Reverse(frozen))
            {
                try
                {
                    freeze.Thaw();
                    member.Frozen = System.Diagnostics.Stopwatch.GetElapsedTime(started);
                    record.Delete(Files);
                }
                catch (Exception exception)
                {
                    // As for one snapshot: a member whose thaw was refused keeps its freeze record, for 'subvol check' to find.
                    refusedThaw ??= exception;
                }
                finally
                {
                    freeze.Dispose();
                    watchdog.Dispose();
                }
            }

            if (refusedThaw is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(refusedThaw);
            }
        }
    }

    private sealed record Member(SnapshotReference Reference, SubvolumeRecord Record, string Image, string Partial, string Destination, Guid Guid, IReadOnlyList<LoopDeviceInfo> Devices)
    {
        public MountEntry? Mount { get; } = ImageMounts.FindWritable(Devices);

        public DateTime? WriteStamp { get; set; }

        /// <summary>How long this member stayed frozen, from its FIFREEZE to its thaw; null for one that was not mounted.</summary>
        public TimeSpan? Frozen { get; set; }
    }
}
