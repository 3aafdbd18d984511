using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    public IReadOnlyList<SubvolumeInfo> ListSubvolumes()
    {
        var snapshotCounts = _database.ListSnapshots().GroupBy(snapshot => snapshot.SubvolumeId).ToDictionary(group => group.Key, group => group.Count());
        var exclusive = ExclusiveBytes();
        return _database.ListSubvolumes()
            .Select(record => Describe(record, snapshotCounts.GetValueOrDefault(record.Id)) with { Exclusive = exclusive.GetValueOrDefault(record.Name) })
            .ToList();
    }

    public SubvolumeInfo GetSubvolume(string name)
    {
        var record = RequireSubvolume(name);
        return Describe(record, _database.ListSnapshots(name).Count);
    }

    public SubvolumeInfo? FindSubvolume(string name) =>
        _database.FindSubvolume(name) is { } record ? Describe(record, _database.ListSnapshots(name).Count) : null;

    /// <summary>Makes a sparse image of the given size, formats it, and publishes it as a subvolume.</summary>
    /// <param name="creator">Recorded as the subvolume's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public OperationResult<SubvolumeInfo> CreateSubvolume(string name, long size, string fileSystem, Provisioning provisioning = Provisioning.Guaranteed, string? creator = null)
    {
        NameRules.Validate(name, "subvolume");
        FileSystemKind.Validate(fileSystem);
        size = CheckSize(size, fileSystem);
        using var writeLock = AcquireWriteLock();
        if (_database.FindSubvolume(name) is { } existing)
        {
            if (existing.Size == size && existing.FileSystem == fileSystem && existing.Provisioning == provisioning)
            {
                return new(Outcome.AlreadyExisted, Describe(existing, _database.ListSnapshots(name).Count));
            }

            throw SubvolException.AlreadyExists(
                $"subvolume {Printable.Quote(name)} already exists with size {ByteSize.Format(existing.Size)}, {existing.FileSystem}, {ProvisioningNames.Format(existing.Provisioning)}; choose another name");
        }

        Admit(provisioning, size, $"a {ProvisioningNames.Format(provisioning)} subvolume {Printable.Quote(name)} of {ByteSize.Format(size)}");
        var guid = Guid.NewGuid();
        var created = DateTimeOffset.UtcNow;
        var partial = _layout.PartialImage(guid);
        try
        {
            using (var file = _files.CreateFile(partial))
            {
                RandomAccess.SetLength(file, size);
                if (provisioning == Provisioning.Guaranteed)
                {
                    // Allocated now, so that writing it never needs host space that might be gone.
                    FileSpace.Preallocate(file, partial, 0, size);
                }
            }

            _files.RunOn(partial, target =>
            {
                if (fileSystem == FileSystemKind.Xfs)
                {
                    Tools.MakeXfs(target, label: null, reflink: true);
                }
                else
                {
                    Tools.MakeExt4(target, label: null);
                }
            });

            if (provisioning == Provisioning.Thin)
            {
                Space.Sparseness.PunchUnwritten(_files, partial);
            }

            PausePoint.Reach("create-formatted");
            ImageIdentity.Write(_files, partial, new ImageIdentity(guid, ImageKind.Subvolume, null, created, provisioning, size, fileSystem) { Creator = creator });
            Publish(partial, _layout.SubvolumeImage(name));
        }
        catch (SystemCallException exception)
        {
            _files.Delete(partial);
            throw Translate(exception, $"cannot create subvolume {Printable.Quote(name)}");
        }
        catch
        {
            _files.Delete(partial);
            throw;
        }

        var record = _database.InsertSubvolume(name, guid, size, fileSystem, originSnapshot: null, provisioning, creator: creator, created: created);
        return new(Outcome.Created, Describe(record, 0));
    }

    /// <summary>Deletes a subvolume; its snapshots go too only when asked, and never while anything is mounted.</summary>
    public Outcome DeleteSubvolume(string name, bool recursive)
    {
        NameRules.Validate(name, "subvolume");
        using var writeLock = AcquireWriteLock();
        var record = _database.FindSubvolume(name);
        if (record is null)
        {
            return Outcome.AlreadyGone;
        }

        var image = _layout.SubvolumeImage(name);
        RefuseIfMounted(image, $"subvolume {Printable.Quote(name)}", $"subvol umount {name}");
        var snapshots = _database.ListSnapshots(name);
        if (snapshots.Count > 0 && !recursive)
        {
            throw SubvolException.Busy(
                $"subvolume {Printable.Quote(name)} has {snapshots.Count} snapshot(s) ({string.Join(", ", snapshots.Take(5).Select(s => s.Name))}{(snapshots.Count > 5 ? ", …" : "")}); destroy them first or use --recursive");
        }

        foreach (var snapshot in snapshots)
        {
            RefuseIfMounted(_layout.SnapshotImage(name, snapshot.Name), $"snapshot {snapshot.SubvolumeName}@{snapshot.Name}", $"subvol umount {name}@{snapshot.Name}");
            _files.RefuseUnlessImageOrMissing(_layout.SnapshotImage(name, snapshot.Name));
        }

        _files.RefuseUnlessImageOrMissing(image);

        // Metadata first: a crash after this commit leaves only orphan files, which check --repair removes.
        using (var transaction = _database.BeginTransaction())
        {
            foreach (var snapshot in snapshots)
            {
                _database.DeleteSnapshot(snapshot.Id);
            }

            _database.DeleteSubvolume(record.Id);
            transaction.Commit();
        }

        PausePoint.Reach("delete-unlinking");
        foreach (var snapshot in snapshots)
        {
            DeleteImage(_layout.SnapshotImage(name, snapshot.Name));
        }

        DeleteDirectoryIfEmpty(_layout.SnapshotDirectory(name));
        DeleteImage(image);
        return Outcome.Deleted;
    }

    public void RenameSubvolume(string oldName, string newName)
    {
        NameRules.Validate(newName, "subvolume");
        using var writeLock = AcquireWriteLock();
        var record = RequireSubvolume(oldName);
        if (_database.FindSubvolume(newName) is not null)
        {
            throw SubvolException.AlreadyExists($"subvolume {Printable.Quote(newName)} already exists; choose another name");
        }

        RefuseIfMounted(_layout.SubvolumeImage(oldName), $"subvolume {Printable.Quote(oldName)}", $"subvol umount {oldName}");
        foreach (var snapshot in _database.ListSnapshots(oldName))
        {
            RefuseIfMounted(_layout.SnapshotImage(oldName, snapshot.Name), $"snapshot {oldName}@{snapshot.Name}", $"subvol umount {oldName}@{snapshot.Name}");
        }

        // The rename is recorded with the metadata change, so an interrupted rename is finished by check --repair.
        _database.RenameSubvolume(record.Id, oldName, newName);
        PausePoint.Reach("rename-recorded");
        FinishRenames();
    }

    /// <summary>Grows online (or offline); shrinks only an unmounted ext4, because XFS cannot shrink.</summary>
    public OperationResult<SubvolumeInfo> ResizeSubvolume(string name, long newSize)
    {
        using var writeLock = AcquireWriteLock();
        var record = RequireSubvolume(name);
        newSize = CheckSize(newSize, record.FileSystem);
        var image = _layout.SubvolumeImage(name);
        var currentSize = ImageSize(image);
        if (newSize == record.Size && newSize == currentSize)
        {
            return new(Outcome.Unchanged, GetSubvolume(name));
        }

        var mount = ImageMounts.FindWritable(image);
        try
        {
            if (newSize > currentSize)
            {
                Grow(record, image, newSize, mount);
            }
            else
            {
                Shrink(record, image, newSize, mount);
            }
        }
        catch (SystemCallException exception)
        {
            throw Translate(exception, $"cannot resize subvolume {Printable.Quote(name)}");
        }

        _database.UpdateSubvolumeSize(record.Id, newSize);
        ImageIdentity.Refresh(_files, image, ImageIdentity.Of(record with { Size = newSize }));
        return new(Outcome.Changed, GetSubvolume(name));
    }

    private void Grow(SubvolumeRecord record, string image, long newSize, MountEntry? mount)
    {
        var oldSize = ImageSize(image);
        var what = $"growing {Printable.Quote(record.Name)} by {ByteSize.Format(newSize - oldSize)}";
        AdmitGrowth(record, oldSize, newSize, what);

        if (mount is null)
        {
            RefuseIfAttached(image, record.Name);
        }

        _files.SetLength(image, newSize);
        try
        {
            if (record.Provisioning == Provisioning.Guaranteed)
            {
                _files.Preallocate(image, oldSize, newSize - oldSize);
            }

            GrowFileSystem(record, image, mount);
        }
        catch (Exception exception) when (exception is SystemCallException or ExternalToolException or IOException)
        {
            // Put the image back, so that metadata, image and filesystem keep agreeing on the old size.
            _files.SetLength(image, oldSize);
            if (mount is not null)
            {
                LoopDevice.RefreshCapacity(mount.Source);
            }

            if (exception is ExternalToolException { StandardError: var error } && error.Contains("Permission denied", StringComparison.Ordinal))
            {
                throw SubvolException.NotSupported(
                    $"growing the mounted ext4 in {Printable.Quote(record.Name)} needs the CAP_SYS_RESOURCE capability, which this process lacks; " +
                    $"unmount it and resize again (nothing was changed)");
            }

            throw;
        }
    }

    /// <summary>The length of an image, found without following a link planted in its place.</summary>
    private long ImageSize(string image)
    {
        var status = _files.Status(image);
        return status.Kind switch
        {
            Linux.EntryKind.File => status.Size,
            Linux.EntryKind.Missing => throw new SubvolException(SubvolErrorCode.Inconsistent, $"the image {image} is missing; run 'subvol check'"),
            _ => throw Pools.PoolFiles.Refusal(new ConfinementException(image, "is not a regular file")),
        };
    }

    private void GrowFileSystem(SubvolumeRecord record, string image, MountEntry? mount)
    {
        if (mount is not null)
        {
            LoopDevice.RefreshCapacity(mount.Source);
            if (record.FileSystem == FileSystemKind.Xfs)
            {
                Tools.GrowXfs(mount.Target);
            }
            else
            {
                Tools.ResizeExt4(mount.Source, sizeBytes: null);
            }

            return;
        }

        if (record.FileSystem == FileSystemKind.Ext4)
        {
            _files.RunOn(image, target =>
            {
                Tools.CheckExt4(target);
                Tools.ResizeExt4(target, sizeBytes: null);
            });
            return;
        }

        // xfs_growfs works only on a mounted filesystem, so mount it privately for the moment.
        var target = Directory.CreateTempSubdirectory("subvol-grow-").FullName;
        try
        {
            ImageMounts.Mount(_files, image, target, FileSystemKind.Xfs, readOnly: false, options: FileSystemKind.SubvolumeMountOptions(FileSystemKind.Xfs));
            try
            {
                Tools.GrowXfs(target);
            }
            finally
            {
                ImageMounts.Unmount(image);
            }
        }
        finally
        {
            Directory.Delete(target);
        }
    }

    private void Shrink(SubvolumeRecord record, string image, long newSize, MountEntry? mount)
    {
        if (record.FileSystem == FileSystemKind.Xfs)
        {
            throw SubvolException.NotSupported(
                $"subvolume {Printable.Quote(record.Name)} holds XFS, which cannot shrink; create a smaller subvolume and copy the data into it");
        }

        if (mount is not null)
        {
            throw SubvolException.Busy($"ext4 shrinks only while unmounted; run 'subvol umount {record.Name}' first");
        }

        RefuseIfAttached(image, record.Name);
        _files.RunOn(image, target =>
        {
            Tools.CheckExt4(target);
            Tools.ResizeExt4(target, newSize);
        });
        _files.SetLength(image, newSize);
    }

    private static long CheckSize(long size, string fileSystem)
    {
        size = ByteSize.RoundUp(size, 1 << 20);
        var minimum = FileSystemKind.MinimumSize(fileSystem);
        if (size < minimum)
        {
            throw SubvolException.Invalid($"a {fileSystem} subvolume needs at least {ByteSize.Format(minimum)}; {ByteSize.Format(size)} is too small");
        }

        if (size > 1L << 56)
        {
            throw SubvolException.Invalid($"{ByteSize.Format(size)} is larger than any image this pool can hold");
        }

        return size;
    }

    private static void RefuseIfMounted(string image, string what, string remedy)
    {
        var mounts = ImageMounts.Find(image);
        if (mounts.Count > 0)
        {
            throw SubvolException.Busy($"{what} is mounted at {mounts[0].Target}; run '{remedy}' first");
        }
    }

    private static void RefuseIfAttached(string image, string name)
    {
        var devices = ImageMounts.LoopDevices(image);
        if (devices.Count > 0)
        {
            throw SubvolException.Busy($"the image of {Printable.Quote(name)} is attached to {devices[0].DevicePath}; detach it with 'losetup -d {devices[0].DevicePath}' first");
        }
    }

    private SubvolumeInfo Describe(SubvolumeRecord record, int snapshots)
    {
        var image = _layout.SubvolumeImage(record.Name);
        var allocated = AllocatedBytes(image);
        var mount = ImageMounts.Find(image).FirstOrDefault();
        return new SubvolumeInfo(record.Name, record.Guid, record.Size, record.FileSystem, record.Created, mount?.Target, allocated, snapshots, record.OriginSnapshot, record.Provisioning)
        {
            WrittenSinceSnapshot = snapshots > 0 ? WriteStamp.WrittenSince(_files, image, record.WriteStamp) : null,
            Creator = record.Creator,
        };
    }

    private void FinishRenames()
    {
        foreach (var pending in _database.ListPendingRenames())
        {
            _files.MoveIfPresent(_layout.SubvolumeImage(pending.OldName), _layout.SubvolumeImage(pending.NewName));
            _files.MoveIfPresent(_layout.SnapshotDirectory(pending.OldName), _layout.SnapshotDirectory(pending.NewName));

            _database.DeletePendingRename(pending.Id);
        }
    }

    private void DeleteDirectoryIfEmpty(string directory) => _files.DeleteDirectoryIfEmpty(directory);

    /// <summary>Bytes allocated to an image; a missing image, or a link in its place, holds none.</summary>
    private long AllocatedBytes(string image)
    {
        var status = _files.Status(image);
        return status.Kind == Linux.EntryKind.File ? status.AllocatedBytes : 0;
    }
}
