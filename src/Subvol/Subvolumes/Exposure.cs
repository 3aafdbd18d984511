using System.Security.Cryptography;
using Subvol.Encryption;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Subvolumes;

/// <summary>
/// Where a subvolume's or snapshot's filesystem is seen: mounted at the pool's default place or at a
/// directory of the caller's choosing (one way of mounting for both), bind-mounted elsewhere, unmounted,
/// and measured where it is seen.
/// </summary>
internal sealed class Exposure(PoolSession session)
{
    private PoolLayout Layout => session.Layout;

    private PoolFiles Files => session.Files;

    /// <summary>Mounts a subvolume read-write, or a snapshot read-only, at the given directory or the pool's default.</summary>
    /// <param name="key">Unlocks an encrypted subvolume or snapshot, whose key is loaded as it is mounted; unused otherwise.</param>
    public OperationResult<string> Mount(string target, string? at, KeyMaterial? key = null)
    {
        using var writeLock = session.AcquireWriteLock();
        var (subvolume, snapshot) = SnapshotReference.Split(target);
        string image;
        string fileSystem;
        byte[]? wrappedKey;
        Guid guid;
        if (snapshot is null)
        {
            var record = session.RequireSubvolume(subvolume);
            image = Layout.SubvolumeImage(subvolume);
            fileSystem = record.FileSystem;
            (wrappedKey, guid) = (record.WrappedKey, record.Guid);
        }
        else
        {
            var record = session.RequireSnapshot(new SnapshotReference(subvolume, snapshot));
            image = Layout.SnapshotImage(subvolume, snapshot);
            fileSystem = record.FileSystem;
            (wrappedKey, guid) = (record.WrappedKey, record.Guid);
        }

        var where = at is null ? Layout.DefaultMountPoint(target) : ImageMounts.NewMountPoint(Layout, at);

        var existing = ImageMounts.Find(image);
        if (existing.Count > 0)
        {
            if (existing.Any(mount => mount.Target == where) || at is null)
            {
                return new(Outcome.AlreadyExisted, existing[0].Target);
            }

            throw SubvolException.Busy($"{target} is already mounted at {existing[0].Target}", new Remedy.Unmount(session.Path, target));
        }

        // Mounted over, another filesystem would be hidden, not replaced, and an unmount would later find the wrong one.
        if (Mounts.FindByTarget(where) is { } other)
        {
            throw SubvolException.Busy($"{where} already has {other.Source} ({other.FileSystemType}) mounted on it; unmount that first, or mount {target} elsewhere with --at");
        }

        var inside = where.StartsWith(Layout.Root + "/", StringComparison.Ordinal);
        if (inside ? Files.Status(where).Kind == EntryKind.Directory && Files.List(where).Count > 0 : Directory.Exists(where) && Directory.EnumerateFileSystemEntries(where).Any())
        {
            throw SubvolException.Invalid($"{where} is not empty; mount on an empty directory");
        }

        if (!Files.Exists(image))
        {
            throw SubvolException.Inconsistent($"the image of {target} is missing ({image})", new Remedy.CheckPool(session.Path));
        }

        var flags = snapshot is null ? MountFlags.None : MountFlags.ReadOnly;
        var options = snapshot is null ? FileSystemKind.SubvolumeMountOptions(fileSystem) : FileSystemKind.SnapshotMountOptions(fileSystem);
        if (wrappedKey is null)
        {
            if (key is not null)
            {
                throw SubvolException.Invalid($"{target} is not encrypted; mount it without a key");
            }

            MountImage(image, target, where, fileSystem, flags, options);
            return new(Outcome.Created, where);
        }

        // Unlocked before anything is attached: a wrong key leaves nothing mounted and nothing changed.
        var masterKey = SubvolumeKeys.Unlock(wrappedKey, key, snapshot is null ? $"subvolume {Printable.Quote(subvolume)}" : $"snapshot {target}");
        try
        {
            MountRefusal.Translate(target, where, () => EncryptedTree.Mount(Files, image, Layout.StagingMountPoint(guid), where, fileSystem, flags, options, masterKey), FileSystemKind.CheckCommand(fileSystem, image));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }

        return new(Outcome.Created, where);
    }

    /// <summary>
    /// Mounts a subvolume at a directory of the caller's choosing with mount(8)-style options
    /// ("noatime", "ro", "discard"), or says it already is mounted there.
    /// </summary>
    public OperationResult<string> MountAt(string name, string at, IReadOnlyList<string> options)
    {
        MountFlags flags;
        string? data;
        try
        {
            (flags, data) = MountOptionParser.Parse(options);
        }
        catch (ArgumentException exception)
        {
            throw SubvolException.Invalid(exception.Message);
        }

        using var writeLock = session.AcquireWriteLock();
        var record = session.RequireSubvolume(name);
        var image = Layout.SubvolumeImage(name);
        at = ImageMounts.NewMountPoint(Layout, at);
        var mounts = ImageMounts.Find(image);
        if (mounts.Any(mount => mount.Target == at))
        {
            return new(Outcome.AlreadyExisted, at);
        }

        if (record.WrappedKey is not null)
        {
            throw SubvolException.NotSupported($"subvolume {Printable.Quote(name)} is encrypted, and its key is given only to 'subvol mount'; mount it there and bind it");
        }

        if (mounts.Count > 0)
        {
            throw SubvolException.Busy($"subvolume {Printable.Quote(name)} is already mounted at {mounts[0].Target}; unmount it there first");
        }

        if (ImageMounts.LoopDevices(image) is { Count: > 0 } devices)
        {
            throw SubvolException.Busy($"subvolume {Printable.Quote(name)} is attached to {devices[0].DevicePath} as a block device; detach it first");
        }

        if (Mounts.FindByTarget(at) is { } other)
        {
            throw SubvolException.Busy($"{at} already has {other.Source} mounted on it");
        }

        var ours = FileSystemKind.SubvolumeMountOptions(record.FileSystem);
        var mountData = ours is null || (data?.Split(',').Contains(ours) ?? false) ? data : data is null ? ours : $"{data},{ours}";
        MountImage(image, Printable.Quote(name), at, record.FileSystem, flags, mountData);
        return new(Outcome.Created, at);
    }

    /// <summary>
    /// Unmounts a subvolume or snapshot wherever it is mounted; given a directory instead (a path holds a '/' or starts
    /// with '.', which no name can), unmounts the subvolume or snapshot of this pool that is mounted there.
    /// </summary>
    public Outcome Unmount(string target)
    {
        if (NameRules.IsPath(target))
        {
            return UnmountDirectory(target);
        }

        using var writeLock = session.AcquireWriteLock();
        var (subvolume, snapshot) = SnapshotReference.Split(target);
        string image;
        if (snapshot is null)
        {
            session.RequireSubvolume(subvolume);
            image = Layout.SubvolumeImage(subvolume);
        }
        else
        {
            session.RequireSnapshot(new SnapshotReference(subvolume, snapshot));
            image = Layout.SnapshotImage(subvolume, snapshot);
        }

        DeletedImage.RefuseIfHeld(Files, image, snapshot is null ? $"subvolume {Printable.Quote(subvolume)}" : $"snapshot {target}");

        // An encrypted image's key goes with its filesystem: unmounting every mount of it ends that, and the kernel wipes
        // the keyring, where a key removed before an unmount that then failed would leave it mounted and half locked.
        var unmounted = ImageMounts.Unmount(image);
        foreach (var directory in unmounted.Where(path => Path.GetDirectoryName(path) == Layout.MountsDirectory))
        {
            Files.DeleteDirectoryIfEmpty(directory);
        }

        return unmounted.Count > 0 ? Outcome.Deleted : Outcome.AlreadyGone;
    }

    /// <summary>Unmounts every subvolume and snapshot of the pool from wherever it is mounted, as exporting the pool needs.</summary>
    public void UnmountEverything()
    {
        using var writeLock = session.AcquireWriteLock();
        var images = session.AllImages().ToList();
        foreach (var image in images)
        {
            DeletedImage.RefuseIfHeld(Files, image, "in pool " + Layout.Root);
        }

        foreach (var image in images)
        {
            ImageMounts.Unmount(image);
        }
    }

    private Outcome UnmountDirectory(string directory)
    {
        using var writeLock = session.AcquireWriteLock();
        var where = ImageMounts.NormalizeTarget(directory);
        if (Mounts.FindByTarget(where) is not { } mount)
        {
            throw SubvolException.NotFound($"nothing is mounted at {where}", new Remedy.ListMounts(session.Path));
        }

        var image = ImageMounts.ImageMountedAt(mount);
        var ours = image is not null
            && (Path.GetDirectoryName(image) == Layout.SubvolumesDirectory || Path.GetDirectoryName(Path.GetDirectoryName(image)) == Layout.SnapshotsDirectory);
        if (!ours)
        {
            throw SubvolException.Invalid($"{where} has {mount.Source} mounted on it, which is no subvolume or snapshot of pool {Layout.Root}; leaving it alone");
        }

        DeletedImage.RefuseIfHeld(Files, image!, $"what is mounted at {where}");
        ImageMounts.UnmountTarget(where);
        if (Path.GetDirectoryName(where) == Layout.MountsDirectory)
        {
            Files.DeleteDirectoryIfEmpty(where);
        }

        return Outcome.Deleted;
    }

    /// <summary>
    /// Unmounts what of this subvolume is mounted at <paramref name="at"/> (its mount, a bind mount, or its
    /// bound device node), and with <paramref name="removeLeftover"/> deletes the empty directory or file left there.
    /// </summary>
    public Outcome UnmountAt(string name, string at, bool removeLeftover)
    {
        using var writeLock = session.AcquireWriteLock();
        session.RequireSubvolume(name);
        var image = Layout.SubvolumeImage(name);
        at = ImageMounts.NormalizeTarget(at);
        var outcome = Outcome.AlreadyGone;
        if (Mounts.FindByTarget(at) is { } mount)
        {
            var devices = ImageMounts.LoopDevices(image);
            if (!devices.Any(device => device.DevicePath == mount.Source) && !ImageMounts.IsNodeOf(at, devices))
            {
                throw SubvolException.Busy($"{at} has {mount.Source} mounted on it, which is not subvolume {Printable.Quote(name)}; leaving it alone");
            }

            DeletedImage.RefuseIfHeld(Files, image, $"subvolume {Printable.Quote(name)}");

            try
            {
                ImageMounts.UnmountTarget(at);
            }
            catch (SystemCallException exception)
            {
                throw ErrorTranslation.During($"cannot unmount {at}", exception);
            }

            outcome = Outcome.Deleted;
        }

        if (removeLeftover && Mounts.FindByTarget(at) is null)
        {
            RemoveIfEmpty(at);
        }

        return outcome;
    }

    /// <summary>Whether a subvolume is mounted (or bind-mounted) exactly at <paramref name="path"/>.</summary>
    public bool IsMountedAt(string name, string path)
    {
        if (NameRules.Problem(name) is not null || session.Database.FindSubvolume(name) is null)
        {
            return false;
        }

        var target = ImageMounts.NormalizeTarget(path);
        return ImageMounts.Find(Layout.SubvolumeImage(name)).Any(mount => mount.Target == target);
    }

    /// <summary>Bind-mounts a subvolume's existing mount at <paramref name="from"/> onto <paramref name="at"/>, read-only when asked.</summary>
    public OperationResult<string> BindMount(string name, string from, string at, bool readOnly)
    {
        using var writeLock = session.AcquireWriteLock();
        session.RequireSubvolume(name);
        var image = Layout.SubvolumeImage(name);
        from = ImageMounts.NormalizeTarget(from);
        at = ImageMounts.NewMountPoint(Layout, at);
        var mounts = ImageMounts.Find(image);
        if (mounts.FirstOrDefault(mount => mount.Target == at) is { } existing)
        {
            var existingReadOnly = IsReadOnly(existing);
            return existingReadOnly == readOnly
                ? new(Outcome.AlreadyExisted, at)
                : throw SubvolException.AlreadyExists($"{at} already holds {Printable.Quote(name)} {(existingReadOnly ? "read-only" : "read-write")}");
        }

        if (!mounts.Any(mount => mount.Target == from))
        {
            throw SubvolException.Invalid($"subvolume {Printable.Quote(name)} is not mounted at {from}; mount it there first");
        }

        if (Mounts.FindByTarget(at) is { } other)
        {
            throw SubvolException.AlreadyExists($"{at} already has {other.Source} mounted on it");
        }

        try
        {
            Directory.CreateDirectory(at);
            Mounts.Mount(from, at, "none", MountFlags.Bind, null);
            if (readOnly)
            {
                // A bind mount takes MS_RDONLY only on a remount of the bind itself (mount(2), "Creating a bind mount").
                RemountReadOnly(at);
            }
        }
        catch (SystemCallException exception)
        {
            throw ErrorTranslation.During($"cannot bind {from} to {at}", exception);
        }

        return new(Outcome.Created, at);
    }

    /// <summary>The usage of a subvolume seen at <paramref name="path"/>: a directory it is mounted on, or a node of its block device.</summary>
    public MountUsage Measure(string name, string path)
    {
        session.RequireSubvolume(name);
        var image = Layout.SubvolumeImage(name);
        path = ImageMounts.NormalizeTarget(path);
        if (Directory.Exists(path))
        {
            if (!ImageMounts.Find(image).Any(mount => mount.Target == path))
            {
                throw SubvolException.NotFound($"subvolume {Printable.Quote(name)} is not mounted at {path}");
            }

            var usage = FileSystemStatistics.Get(path);
            var (totalInodes, freeInodes) = FileSystemInodes.Get(path);
            return new MountUsage(usage.TotalBytes, usage.AvailableBytes, usage.TotalBytes - usage.FreeBytes, totalInodes, freeInodes);
        }

        if (!File.Exists(path))
        {
            throw SubvolException.NotFound($"{path} does not exist");
        }

        if (!ImageMounts.IsNodeOf(path, ImageMounts.LoopDevices(image)))
        {
            throw SubvolException.NotFound($"{path} is not the block device of subvolume {Printable.Quote(name)}");
        }

        return new MountUsage(ImageSpace.Length(session, image), null, null, null, null);
    }

    /// <summary>
    /// Takes an encrypted image's key out of its filesystem's keyring before it is unmounted, which wipes the key at once
    /// rather than when the kernel frees the filesystem; a key already unloaded is no error.
    /// </summary>
    /// <summary>The one way an image is mounted, wherever and however the caller chose; <paramref name="what"/> names it in errors.</summary>
    private void MountImage(string image, string what, string where, string fileSystem, MountFlags flags, string? options) =>
        MountRefusal.Translate(what, where, () => ImageMounts.Mount(Files, image, where, fileSystem, flags, options), FileSystemKind.CheckCommand(fileSystem, image));

    private static void RemountReadOnly(string at)
    {
        try
        {
            Mounts.Mount("none", at, "none", MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly, null);
        }
        catch
        {
            Mounts.Unmount(at);
            throw;
        }
    }

    private static bool IsReadOnly(MountEntry mount) => mount.MountOptions.Split(',').Contains("ro");

    private static void RemoveIfEmpty(string path)
    {
        if (Directory.Exists(path))
        {
            if (!Directory.EnumerateFileSystemEntries(path).Any())
            {
                Directory.Delete(path);
            }
        }
        else if (File.Exists(path) && new FileInfo(path).Length == 0)
        {
            File.Delete(path);
        }
    }
}
