using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Snapshots;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    public IReadOnlyList<SnapshotInfo> ListSnapshots(string? subvolume = null)
    {
        if (subvolume is not null)
        {
            RequireSubvolume(subvolume);
        }

        var exclusive = ExclusiveBytes();
        return _database.ListSnapshots(subvolume)
            .Select(record => Describe(record) with { Exclusive = exclusive.GetValueOrDefault($"{record.SubvolumeName}@{record.Name}") })
            .ToList();
    }

    public SnapshotInfo GetSnapshot(SnapshotReference reference) => Describe(RequireSnapshot(reference));

    /// <summary>
    /// Freezes the subvolume's filesystem if mounted, reflink-clones its image and thaws. A
    /// freeze record and a watchdog make sure that even a killed process leaves nothing frozen.
    /// </summary>
    /// <param name="creator">Recorded as the snapshot's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public SnapshotInfo CreateSnapshot(string subvolume, string? snapshot, string? creator = null)
    {
        using var writeLock = AcquireWriteLock();
        var record = RequireSubvolume(subvolume);
        snapshot ??= SnapshotNames.Timestamp(DateTimeOffset.UtcNow, name => _database.FindSnapshot(subvolume, name) is not null);
        NameRules.Validate(snapshot, "snapshot");
        if (_database.FindSnapshot(subvolume, snapshot) is not null)
        {
            throw SubvolException.AlreadyExists($"snapshot {subvolume}@{snapshot} already exists; choose another name");
        }

        var image = _layout.SubvolumeImage(subvolume);
        if (record.Provisioning == Provisioning.Guaranteed)
        {
            // Every written block the image holds alone becomes shared, so its next writes may need that much again.
            EnsureCanReserve(Space.Headroom.SharedBySnapshot(_files, image, record.Size), $"a snapshot of {Printable.Quote(subvolume)}");
        }

        var guid = Guid.NewGuid();
        var partial = _layout.PartialImage(guid);
        var created = DateTimeOffset.UtcNow;
        try
        {
            // Only an image nobody has open stays as the snapshot found it; one in use counts as written from now on.
            var idle = ImageMounts.LoopDevices(image).Count == 0;
            CloneConsistent(subvolume, image, partial);
            DateTime? writeStamp = idle ? WriteStamp.Apply(_files, image) : null;
            var destination = _layout.SnapshotImage(subvolume, snapshot);
            _files.CreateDirectory(_layout.SnapshotDirectory(subvolume));
            ImageIdentity.Write(_files, partial, new ImageIdentity(guid, ImageKind.Snapshot, record.Guid, created, record.Provisioning, _files.Status(partial).Size, record.FileSystem) { Creator = creator });
            Publish(partial, destination);
            PausePoint.Reach("snapshot-published");
            SnapshotRecord snapshotRecord;
            using (var transaction = _database.BeginTransaction())
            {
                snapshotRecord = _database.InsertSnapshot(record, snapshot, guid, _files.Status(destination).Size, record.FileSystem, created, creator);
                _database.UpdateWriteStamp(record.Id, writeStamp);
                transaction.Commit();
            }

            MakeImmutable(destination);
            ImageIdentity.Refresh(_files, image, ImageIdentity.Of(record with { WriteStamp = writeStamp }));
            return Describe(snapshotRecord);
        }
        catch (SystemCallException exception)
        {
            _files.Delete(partial);
            throw Translate(exception, $"cannot snapshot {Printable.Quote(subvolume)}");
        }
        catch
        {
            _files.Delete(partial);
            throw;
        }
    }

    public Outcome DestroySnapshot(SnapshotReference reference)
    {
        using var writeLock = AcquireWriteLock();
        RequireSubvolume(reference.Subvolume);
        var record = _database.FindSnapshot(reference.Subvolume, reference.Snapshot);
        if (record is null)
        {
            return Outcome.AlreadyGone;
        }

        var image = _layout.SnapshotImage(reference.Subvolume, reference.Snapshot);
        RefuseIfMounted(image, $"snapshot {reference}", $"subvol umount {reference}");
        _files.RefuseUnlessImageOrMissing(image);
        _database.DeleteSnapshot(record.Id);
        PausePoint.Reach("destroy-unlinking");
        DeleteImage(image);
        DeleteDirectoryIfEmpty(_layout.SnapshotDirectory(reference.Subvolume));
        return Outcome.Deleted;
    }

    /// <summary>Makes an independent, writable subvolume from a snapshot, with a filesystem UUID of its own.</summary>
    /// <param name="creator">Recorded as the clone's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public OperationResult<SubvolumeInfo> CloneSnapshot(SnapshotReference source, string name, Provisioning provisioning = Provisioning.Guaranteed, string? creator = null)
    {
        NameRules.Validate(name, "subvolume");
        using var writeLock = AcquireWriteLock();
        var snapshot = RequireSnapshot(source);
        if (_database.FindSubvolume(name) is { } existing)
        {
            if (existing.OriginSnapshot == snapshot.Guid)
            {
                return new(Outcome.AlreadyExisted, Describe(existing, _database.ListSnapshots(name).Count));
            }

            throw SubvolException.AlreadyExists($"subvolume {Printable.Quote(name)} already exists; choose another name");
        }

        // A clone shares every block with its snapshot, so a guaranteed clone needs its whole size as headroom.
        Admit(provisioning, snapshot.Size, $"a {ProvisioningNames.Format(provisioning)} clone {Printable.Quote(name)} of {source}");
        var guid = Guid.NewGuid();
        var created = DateTimeOffset.UtcNow;
        var partial = _layout.PartialImage(guid);
        try
        {
            _files.Clone(_layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name), partial);
            if (provisioning == Provisioning.Guaranteed)
            {
                // Allocating the holes leaves only the shared blocks as headroom, which admission counted.
                _files.Preallocate(partial, 0, snapshot.Size);
            }

            FileSystemIdentity.Renew(_files, partial, snapshot.FileSystem);
            if (provisioning == Provisioning.Thin)
            {
                Space.Sparseness.PunchUnwritten(_files, partial);
            }

            PausePoint.Reach("clone-renewed");
            ImageIdentity.Write(_files, partial, new ImageIdentity(guid, ImageKind.Subvolume, snapshot.Guid, created, provisioning, snapshot.Size, snapshot.FileSystem) { Creator = creator });
            Publish(partial, _layout.SubvolumeImage(name));
        }
        catch (SystemCallException exception)
        {
            _files.Delete(partial);
            throw Translate(exception, $"cannot clone {source}");
        }
        catch
        {
            _files.Delete(partial);
            throw;
        }

        var record = _database.InsertSubvolume(name, guid, snapshot.Size, snapshot.FileSystem, snapshot.Guid, provisioning, creator: creator, created: created);
        return new(Outcome.Created, Describe(record, 0));
    }

    /// <summary>Puts a snapshot's image back in place of its subvolume's; newer snapshots block it unless forced.</summary>
    public IReadOnlyList<string> Rollback(SnapshotReference reference, bool force)
    {
        using var writeLock = AcquireWriteLock();
        var subvolume = RequireSubvolume(reference.Subvolume);
        var snapshot = RequireSnapshot(reference);
        var image = _layout.SubvolumeImage(subvolume.Name);
        RefuseIfMounted(image, $"subvolume {Printable.Quote(subvolume.Name)}", $"subvol umount {subvolume.Name}");
        RefuseIfAttached(image, subvolume.Name);
        var newer = _database.ListSnapshots(subvolume.Name).Where(other => other.Id > snapshot.Id).ToList();
        if (newer.Count > 0 && !force)
        {
            throw SubvolException.Busy(
                $"{reference} is not the newest snapshot: {string.Join(", ", newer.Select(s => s.Name))} came after it; use --force to destroy them and roll back");
        }

        foreach (var other in newer)
        {
            RefuseIfMounted(_layout.SnapshotImage(subvolume.Name, other.Name), $"snapshot {subvolume.Name}@{other.Name}", $"subvol umount {subvolume.Name}@{other.Name}");
            _files.RefuseUnlessImageOrMissing(_layout.SnapshotImage(subvolume.Name, other.Name));
        }

        var writeStamp = ReplaceImage(subvolume, snapshot, $"cannot roll back to {reference}");
        PausePoint.Reach("rollback-replaced");
        using (var transaction = _database.BeginTransaction())
        {
            _database.UpdateSubvolumeSize(subvolume.Id, snapshot.Size);
            _database.UpdateWriteStamp(subvolume.Id, writeStamp);
            foreach (var other in newer)
            {
                _database.DeleteSnapshot(other.Id);
            }

            transaction.Commit();
        }

        foreach (var other in newer)
        {
            DeleteImage(_layout.SnapshotImage(subvolume.Name, other.Name));
        }

        return newer.Select(other => other.Name).ToList();
    }

    /// <summary>
    /// Replaces a subvolume's image by a clone of one of its snapshots, in one rename, and returns the
    /// write stamp the new image carries. The caller has made sure that nothing has the image open.
    /// </summary>
    private DateTime ReplaceImage(SubvolumeRecord subvolume, SnapshotRecord snapshot, string failure)
    {
        var partial = _layout.PartialImage(Guid.NewGuid());
        try
        {
            _files.Clone(_layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name), partial);
            if (subvolume.Provisioning == Provisioning.Guaranteed)
            {
                // The restored image must be as writable as the one it replaces: allocate its holes before the swap.
                _files.Preallocate(partial, 0, snapshot.Size);
            }

            var writeStamp = WriteStamp.Apply(_files, partial);
            ImageIdentity.Write(_files, partial, ImageIdentity.Of(subvolume with { Size = snapshot.Size, WriteStamp = writeStamp }));
            // rename(2) replaces the image atomically: a crash leaves the old image or the restored one.
            _files.Replace(partial, _layout.SubvolumeImage(subvolume.Name));
            return writeStamp;
        }
        catch (SystemCallException exception)
        {
            _files.Delete(partial);
            throw Translate(exception, failure);
        }
        catch
        {
            _files.Delete(partial);
            throw;
        }
    }

    /// <summary>Clones an image so that the copy is a consistent filesystem: frozen if mounted, as is otherwise.</summary>
    private void CloneConsistent(string subvolume, string image, string destination)
    {
        var mount = ImageMounts.FindWritable(image);
        if (mount is null)
        {
            _files.Clone(image, destination);
            return;
        }

        // The record goes first and the watchdog second, so that whatever kills this process, the thaw is owed by someone.
        var record = FreezeRecord.Write(_files, _layout.FreezeDirectory, subvolume, mount.Target);
        using (ThawWatchdog.Start(mount.Target, record.Path))
        {
            using (var freeze = Freeze.Begin(mount.Target))
            {
                PausePoint.Reach("snapshot-frozen");
                _files.Clone(image, destination);
                freeze.Thaw();
            }

            record.Delete(_files);
        }
    }

    private void MakeImmutable(string path) => _files.SetImmutable(path, true);

    private SnapshotInfo Describe(SnapshotRecord record)
    {
        var image = _layout.SnapshotImage(record.SubvolumeName, record.Name);
        var allocated = AllocatedBytes(image);
        var mount = ImageMounts.Find(image).FirstOrDefault();
        return new SnapshotInfo(record.SubvolumeName, record.Name, record.Guid, record.Size, record.FileSystem, record.Created, allocated, mount?.Target) { Creator = record.Creator };
    }
}
