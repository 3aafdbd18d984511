using System.Security.Cryptography;
using Subvol.Encryption;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Space;

namespace Subvol.Subvolumes;

/// <summary>
/// Subvolumes coming and going: creating one (space admitted, image made and formatted, then published),
/// deleting one with or without its snapshots, renaming one, and describing them as they are now.
/// </summary>
internal sealed class SubvolumeLifecycle(PoolSession session, SpaceAdmission space)
{
    private PoolLayout Layout => session.Layout;

    private PoolDatabase Database => session.Database;

    private PoolFiles Files => session.Files;

    /// <param name="exclusive">Exclusive bytes by image name, which only a reading of every extent map can say.</param>
    /// <param name="mounts">The kernel's loop devices and mounts when the caller has read them for its listing; null reads them.</param>
    public IReadOnlyList<SubvolumeInfo> List(IReadOnlyDictionary<string, long> exclusive, MountTable? mounts = null)
    {
        var snapshotCounts = Database.CountSnapshots();
        mounts ??= MountTable.Read();
        return Database.ListSubvolumes()
            .Select(record => Describe(record, snapshotCounts.GetValueOrDefault(record.Id), mounts) with { Exclusive = exclusive.GetValueOrDefault(record.Name) })
            .ToList();
    }

    public SubvolumeInfo Get(string name)
    {
        var record = session.RequireSubvolume(name);
        return Describe(record, Database.ListSnapshots(name).Count);
    }

    public SubvolumeInfo? Find(string name) =>
        Database.FindSubvolume(name) is { } record ? Describe(record, Database.ListSnapshots(name).Count) : null;

    /// <summary>Makes a sparse image of the given size, formats it, and publishes it as a subvolume.</summary>
    /// <param name="encryption">What wraps the new subvolume's master key when it is to be encrypted; null for an unencrypted one.</param>
    public OperationResult<SubvolumeInfo> Create(string name, long size, string fileSystem, Provisioning provisioning, string? creator, KeyMaterial? encryption = null)
    {
        NameRules.Validate(name, "subvolume");
        FileSystemKind.Validate(fileSystem);
        if (encryption is not null && fileSystem != FileSystemKind.Ext4)
        {
            throw SubvolException.NotSupported(
                $"an encrypted subvolume needs ext4: XFS has no file-based encryption (fscrypt) as of Linux 6.18, and this machine has no device-mapper for dm-crypt; create it with --fs ext4");
        }

        size = SubvolumeSizes.Check(size, fileSystem);
        using var writeLock = session.AcquireWriteLock();
        if (Database.FindSubvolume(name) is { } existing)
        {
            if (existing.Size == size && existing.FileSystem == fileSystem && existing.Provisioning == provisioning && (existing.WrappedKey is not null) == (encryption is not null))
            {
                return new(Outcome.AlreadyExisted, Describe(existing, Database.ListSnapshots(name).Count));
            }

            throw SubvolException.AlreadyExists(
                $"subvolume {Printable.Quote(name)} already exists with size {ByteSize.Format(existing.Size)}, {existing.FileSystem}, {ProvisioningNames.Format(existing.Provisioning)}; choose another name");
        }

        space.Admit(provisioning, size, $"a {ProvisioningNames.Format(provisioning)} subvolume {Printable.Quote(name)} of {ByteSize.Format(size)}");
        var guid = Guid.NewGuid();
        var created = Clock.Now;
        var partial = Layout.PartialImage(guid);
        // A random master key per subvolume, as ZFS has: the passphrase or key file only wraps it, so changing them never re-encrypts data.
        var masterKey = encryption is null ? null : RandomNumberGenerator.GetBytes(FileSystemEncryption.MasterKeySize);
        byte[]? wrappedKey = null;
        try
        {
            wrappedKey = masterKey is null ? null : WrappedKey.Wrap(masterKey, encryption!);
            Build(name, size, fileSystem, provisioning, creator, guid, created, partial, masterKey, wrappedKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }

        var record = Database.InsertSubvolume(name, guid, size, fileSystem, originSnapshot: null, provisioning, creator: creator, created: created, wrappedKey: wrappedKey);
        return new(Outcome.Created, Describe(record, 0));
    }

    private void Build(string name, long size, string fileSystem, Provisioning provisioning, string? creator, Guid guid, DateTimeOffset created, string partial, byte[]? masterKey, byte[]? wrappedKey)
    {
        PartialImage.Build(Files, partial, $"cannot create subvolume {Printable.Quote(name)}", () =>
        {
            using (var file = Files.CreateFile(partial))
            {
                RandomAccess.SetLength(file, size);
                if (provisioning == Provisioning.Guaranteed)
                {
                    // Allocated now, so that writing it never needs host space that might be gone.
                    FileSpace.Preallocate(file, partial, 0, size);
                }
            }

            Files.RunOn(partial, target =>
            {
                if (fileSystem == FileSystemKind.Xfs)
                {
                    Tools.MakeXfs(target, label: null, reflink: true);
                }
                else
                {
                    Tools.MakeExt4(target, label: null, encrypt: masterKey is not null);
                }
            });

            if (masterKey is not null)
            {
                EncryptedTree.Prepare(Files, partial, Layout.StagingMountPoint(guid), masterKey);
            }

            if (provisioning == Provisioning.Thin)
            {
                Sparseness.PunchUnwritten(Files, partial);
            }

            PausePoint.Reach("create-formatted");
            ImageIdentity.Write(Files, partial, new ImageIdentity(guid, ImageKind.Subvolume, null, created, provisioning, size, fileSystem) { Creator = creator, WrappedKey = wrappedKey });
            Files.Publish(partial, Layout.SubvolumeImage(name));
        });
    }

    /// <summary>Deletes a subvolume; its snapshots go too only when asked, and never while anything is mounted.</summary>
    public Outcome Delete(string name, bool recursive)
    {
        NameRules.Validate(name, "subvolume");
        using var writeLock = session.AcquireWriteLock();
        var record = Database.FindSubvolume(name);
        if (record is null)
        {
            return Outcome.AlreadyGone;
        }

        var image = Layout.SubvolumeImage(name);
        // A block device's user would lose the image from under it, as a mount would.
        ImageMounts.RefuseIfInUse(image, $"subvolume {Printable.Quote(name)}", new Remedy.Unmount(session.Path, name), name);
        var snapshots = Database.ListSnapshots(name);
        if (snapshots.Count > 0 && !recursive)
        {
            throw SubvolException.Busy(
                $"subvolume {Printable.Quote(name)} has {snapshots.Count} snapshot(s) ({string.Join(", ", snapshots.Take(5).Select(s => s.Name))}{(snapshots.Count > 5 ? ", …" : "")})",
                new Remedy.DestroySnapshotsFirst(session.Path, name));
        }

        foreach (var snapshot in snapshots)
        {
            var snapshotImage = Layout.SnapshotImage(name, snapshot.Name);
            ImageMounts.RefuseIfMounted(snapshotImage, $"snapshot {snapshot.SubvolumeName}@{snapshot.Name}", new Remedy.Unmount(session.Path, $"{name}@{snapshot.Name}"));
            Files.RefuseUnlessImageOrMissing(snapshotImage);
        }

        Files.RefuseUnlessImageOrMissing(image);

        // Metadata first: a crash after this commit leaves only orphan files, which check --repair removes.
        using (var transaction = Database.BeginTransaction())
        {
            foreach (var snapshot in snapshots)
            {
                Database.DeleteSnapshot(snapshot.Id);
            }

            Database.DeleteSubvolume(record.Id);
            transaction.Commit();
        }

        PausePoint.Reach("delete-unlinking");
        Files.DeleteImages(snapshots.Select(snapshot => Layout.SnapshotImage(name, snapshot.Name)).Append(image));
        Files.DeleteDirectoryIfEmpty(Layout.SnapshotDirectory(name));
        return Outcome.Deleted;
    }

    public void Rename(string oldName, string newName)
    {
        NameRules.Validate(newName, "subvolume");
        using var writeLock = session.AcquireWriteLock();
        var record = session.RequireSubvolume(oldName);
        if (Database.FindSubvolume(newName) is not null)
        {
            throw SubvolException.AlreadyExists($"subvolume {Printable.Quote(newName)} already exists; choose another name");
        }

        ImageMounts.RefuseIfMounted(Layout.SubvolumeImage(oldName), $"subvolume {Printable.Quote(oldName)}", new Remedy.Unmount(session.Path, oldName));
        foreach (var snapshot in Database.ListSnapshots(oldName))
        {
            ImageMounts.RefuseIfMounted(Layout.SnapshotImage(oldName, snapshot.Name), $"snapshot {oldName}@{snapshot.Name}", new Remedy.Unmount(session.Path, $"{oldName}@{snapshot.Name}"));
        }

        // The rename is recorded with the metadata change, so an interrupted rename is finished by check --repair.
        Database.RenameSubvolume(record.Id, oldName, newName);
        PausePoint.Reach("rename-recorded");
        FinishRenames();
    }

    /// <summary>Moves the files of every recorded rename to their new names; a repair calls it for renames a crash interrupted.</summary>
    internal void FinishRenames()
    {
        foreach (var pending in Database.ListPendingRenames())
        {
            Files.MoveIfPresent(Layout.SubvolumeImage(pending.OldName), Layout.SubvolumeImage(pending.NewName));
            Files.MoveIfPresent(Layout.SnapshotDirectory(pending.OldName), Layout.SnapshotDirectory(pending.NewName));

            Database.DeletePendingRename(pending.Id);
        }
    }

    /// <summary>A subvolume's record with what the machine says now: the space its image holds, where it is mounted, whether it was written since its last snapshot.</summary>
    /// <param name="mounts">The kernel's mounts read once for a whole listing; null to ask the kernel about this image alone.</param>
    internal SubvolumeInfo Describe(SubvolumeRecord record, int snapshots, MountTable? mounts = null)
    {
        var image = Layout.SubvolumeImage(record.Name);
        var allocated = Files.AllocatedBytes(image);
        var mountPoint = mounts is null ? ImageMounts.Find(image).FirstOrDefault()?.Target : mounts.MountPointOf(image);
        return new SubvolumeInfo(record.Name, record.Guid, record.Size, record.FileSystem, record.Created, mountPoint, allocated, snapshots, record.OriginSnapshot, record.Provisioning)
        {
            WrittenSinceSnapshot = snapshots > 0 ? WriteStamp.WrittenSince(Files, image, record.WriteStamp) : null,
            Creator = record.Creator,
            Encrypted = record.WrappedKey is not null,
            KeyLoaded = record.WrappedKey is null ? null : SubvolumeKeys.IsLoaded(mountPoint, record.WrappedKey),
        };
    }
}
