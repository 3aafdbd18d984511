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
/// Takes and destroys snapshots. A snapshot is a reflink clone of its subvolume's image, taken
/// frozen when the subvolume is mounted, published under its name and then made immutable.
/// </summary>
internal sealed class Snapshotter(PoolSession session, SpaceAdmission space)
{
    private PoolLayout Layout => session.Layout;

    private PoolDatabase Database => session.Database;

    private PoolFiles Files => session.Files;

    /// <summary>
    /// Freezes the subvolume's filesystem if mounted, reflink-clones its image and thaws. A
    /// freeze record and a watchdog make sure that even a killed process leaves nothing frozen.
    /// </summary>
    /// <param name="creator">Recorded as the snapshot's creator, so that a program such as the CSI driver can tell its own.</param>
    /// <param name="unnamedPrefix">What the name of a snapshot the caller did not name begins with, before its timestamp.</param>
    public SnapshotInfo Create(string subvolume, string? snapshot, string? creator, string unnamedPrefix = "")
    {
        using var writeLock = session.AcquireWriteLock();
        var record = session.RequireSubvolume(subvolume);
        snapshot ??= SnapshotNames.Timestamp(Clock.Now, name => Database.FindSnapshot(subvolume, name) is not null, unnamedPrefix);
        NameRules.Validate(snapshot, "snapshot");
        if (Database.FindSnapshot(subvolume, snapshot) is not null)
        {
            throw SubvolException.AlreadyExists($"snapshot {subvolume}@{snapshot} already exists; choose another name");
        }

        var image = Layout.SubvolumeImage(subvolume);
        if (record.Provisioning == Provisioning.Guaranteed)
        {
            // Every written block the image holds alone becomes shared, so its next writes may need that much again: at most its size.
            space.EnsureCanReserve(record.Size, () => Headroom.SharedBySnapshot(Files, image, record.Size), $"a snapshot of {Printable.Quote(subvolume)}");
        }

        var guid = Guid.NewGuid();
        var partial = Layout.PartialImage(guid);
        var created = Clock.Now;
        return PartialImage.Build(Files, partial, $"cannot snapshot {Printable.Quote(subvolume)}", () =>
        {
            // Only an image nobody has open stays as the snapshot found it; one in use counts as written from now on.
            // The kernel is asked once: the write lock keeps Subvol's own mounts and attachments from changing meanwhile.
            var devices = ImageMounts.MountingOrHolding(image);
            var idle = devices.Count == 0;
            var (frozen, watchdog) = CloneConsistent(subvolume, image, partial, devices);
            // Its helper exits meanwhile; waiting for it (it holds the mount point open) comes after the metadata.
            using var exitingWatchdog = watchdog;
            DateTime? writeStamp = idle ? WriteStamp.Apply(Files, image) : null;
            var destination = Layout.SnapshotImage(subvolume, snapshot);
            Files.CreateDirectory(Layout.SnapshotDirectory(subvolume));
            ImageIdentity.Write(Files, partial, new ImageIdentity(guid, ImageKind.Snapshot, record.Guid, created, record.Provisioning, Files.Status(partial).Size, record.FileSystem) { Creator = creator, WrappedKey = record.WrappedKey });
            Files.Publish(partial, destination);
            PausePoint.Reach("snapshot-published");
            SnapshotRecord snapshotRecord;
            using (var transaction = Database.BeginTransaction())
            {
                snapshotRecord = Database.InsertSnapshot(record, snapshot, guid, Files.Status(destination).Size, record.FileSystem, created, creator, frozen, record.WrappedKey);
                Database.UpdateWriteStamp(record.Id, writeStamp);
                transaction.Commit();
            }

            MakeImmutable(destination);
            ImageIdentity.Refresh(Files, image, ImageIdentity.Of(record with { WriteStamp = writeStamp }));
            return new SnapshotLookup(session).DescribePublished(snapshotRecord);
        });
    }

    public Outcome Destroy(SnapshotReference reference)
    {
        using var writeLock = session.AcquireWriteLock();
        session.RequireSubvolume(reference.Subvolume);
        var record = Database.FindSnapshot(reference.Subvolume, reference.Snapshot);
        if (record is null)
        {
            return Outcome.AlreadyGone;
        }

        var image = Layout.SnapshotImage(reference.Subvolume, reference.Snapshot);
        ImageMounts.RefuseIfMounted(image, $"snapshot {reference}", new Remedy.Unmount(session.Path, reference.ToString()));
        Files.RefuseUnlessImageOrMissing(image);
        Database.DeleteSnapshot(record.Id);
        PausePoint.Reach("destroy-unlinking");
        Files.DeleteImage(image);
        Files.DeleteDirectoryIfEmpty(Layout.SnapshotDirectory(reference.Subvolume));
        return Outcome.Deleted;
    }

    /// <summary>
    /// Destroys those of the named snapshots of one subvolume that exist, under one write lock and in one metadata
    /// transaction, and returns them as they were; a name it does not hold is left out. Nothing goes while any is mounted.
    /// </summary>
    public IReadOnlyList<SnapshotInfo> Destroy(string subvolume, IReadOnlyList<string> snapshots) =>
        Destroy(snapshots.Select(snapshot => new SnapshotReference(subvolume, snapshot)).ToList(), requireSubvolumes: true).Destroyed;

    /// <summary>
    /// Destroys every named snapshot that exists, of one subvolume or several, after checking them all under one write
    /// lock; each subvolume's go in one metadata transaction. What is missing (or whose subvolume is) is reported, not an error.
    /// </summary>
    public SnapshotsDestroyed Destroy(IReadOnlyList<SnapshotReference> references, bool requireSubvolumes = false)
    {
        using var writeLock = session.AcquireWriteLock();
        var found = new List<SnapshotRecord>();
        var missing = new List<SnapshotReference>();
        foreach (var reference in references.Distinct())
        {
            if (requireSubvolumes)
            {
                session.RequireSubvolume(reference.Subvolume);
            }

            if (Database.FindSnapshot(reference.Subvolume, reference.Snapshot) is { } record)
            {
                found.Add(record);
            }
            else
            {
                missing.Add(reference);
            }
        }

        foreach (var record in found)
        {
            var reference = new SnapshotReference(record.SubvolumeName, record.Name);
            var image = Layout.SnapshotImage(record.SubvolumeName, record.Name);
            ImageMounts.RefuseIfMounted(image, $"snapshot {reference}", new Remedy.Unmount(session.Path, reference.ToString()));
            Files.RefuseUnlessImageOrMissing(image);
        }

        var lookup = new SnapshotLookup(session);
        var destroyed = found.Select(lookup.Describe).ToList();
        foreach (var group in found.GroupBy(record => record.SubvolumeName))
        {
            // Rows go before files, in one transaction per subvolume: a crash leaves at most images that 'check --repair' removes.
            using (var transaction = Database.BeginTransaction())
            {
                foreach (var record in group)
                {
                    Database.DeleteSnapshot(record.Id);
                }

                transaction.Commit();
            }

            PausePoint.Reach("destroy-unlinking");
            Files.DeleteImages(group.Select(record => Layout.SnapshotImage(record.SubvolumeName, record.Name)));

            Files.DeleteDirectoryIfEmpty(Layout.SnapshotDirectory(group.Key));
        }

        return new SnapshotsDestroyed(destroyed, missing);
    }

    /// <summary>A published snapshot never changes: not even root writes to it without first lifting the flag.</summary>
    public void MakeImmutable(string path) => Files.SetImmutable(path, true);

    /// <summary>
    /// Clones an image so that the copy is a consistent filesystem: frozen if mounted, as is otherwise. Returns how
    /// long the filesystem stayed frozen, or null when it was not mounted, and the thaw watchdog of a freeze.
    /// </summary>
    /// <remarks>
    /// The freeze is over and its record gone when this returns, so the watchdog has been let go and only exits; the
    /// caller disposes it, which waits for that, after the metadata is written rather than before.
    /// </remarks>
    private (TimeSpan? Frozen, ThawWatchdog? Watchdog) CloneConsistent(string subvolume, string image, string destination, IReadOnlyList<LoopDeviceInfo> devices)
    {
        var mount = ImageMounts.FindWritable(devices);
        if (mount is null)
        {
            Files.Clone(image, destination);
            return (null, null);
        }

        TimeSpan frozen;
        // The record goes first and the watchdog second, so that whatever kills this process, the thaw is owed by someone.
        var record = FreezeRecord.Write(Files, Layout.FreezeDirectory, subvolume, mount.Target);
        var watchdog = ThawWatchdog.Start(mount.Target, record.Path);
        try
        {
            // Writers wait from the start of FIFREEZE, which flushes the filesystem before it returns.
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            using (var freeze = SnapshotFreeze.Begin(Files, record, watchdog, subvolume, mount.Target))
            {
                PausePoint.Reach("snapshot-frozen");
                Files.Clone(image, destination);
                freeze.Thaw();
                frozen = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            }

            record.Delete(Files);
            watchdog.Release();
            return (frozen, watchdog);
        }
        catch
        {
            watchdog.Dispose();
            throw;
        }
    }
}
