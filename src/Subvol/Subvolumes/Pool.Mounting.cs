namespace Subvol;

public sealed partial class Pool
{
    /// <summary>Mounts a subvolume read-write, or a snapshot read-only, at the given directory or the pool's default.</summary>
    public OperationResult<string> Mount(string target, string? at)
    {
        using var writeLock = AcquireWriteLock();
        var (subvolume, snapshot) = SnapshotReference.Split(target);
        string image;
        string fileSystem;
        if (snapshot is null)
        {
            var record = RequireSubvolume(subvolume);
            image = _layout.SubvolumeImage(subvolume);
            fileSystem = record.FileSystem;
        }
        else
        {
            var record = RequireSnapshot(new SnapshotReference(subvolume, snapshot));
            image = _layout.SnapshotImage(subvolume, snapshot);
            fileSystem = record.FileSystem;
        }

        var where = at is null ? _layout.DefaultMountPoint(target) : System.IO.Path.GetFullPath(at);
        var existing = ImageMounts.Find(image);
        if (existing.Count > 0)
        {
            if (existing.Any(mount => mount.Target == where) || at is null)
            {
                return new(Outcome.AlreadyExisted, existing[0].Target);
            }

            throw SubvolException.Busy($"{target} is already mounted at {existing[0].Target}; unmount it first with 'subvol umount {target}'");
        }

        var inside = where.StartsWith(_layout.Root + "/", StringComparison.Ordinal);
        if (inside ? _files.Status(where).Kind == Linux.EntryKind.Directory && _files.List(where).Count > 0 : Directory.Exists(where) && Directory.EnumerateFileSystemEntries(where).Any())
        {
            throw SubvolException.Invalid($"{where} is not empty; mount on an empty directory");
        }

        if (!_files.Exists(image))
        {
            throw new SubvolException(SubvolErrorCode.Inconsistent, $"the image of {target} is missing ({image}); run 'subvol check'");
        }

        try
        {
            ImageMounts.Mount(_files, image, where, fileSystem, readOnly: snapshot is not null,
                options: snapshot is null ? FileSystemKind.SubvolumeMountOptions(fileSystem) : FileSystemKind.SnapshotMountOptions(fileSystem));
        }
        catch (Linux.SystemCallException exception) when (exception.Errno == Linux.Errno.EINVAL)
        {
            // mount(2) says only EINVAL; the reason (a duplicate filesystem UUID, a damaged superblock) is in the kernel log.
            throw new IOException($"cannot mount {target} at {where}: {exception.Message}; 'dmesg | tail' shows why the kernel refused it", exception);
        }
        catch (Linux.SystemCallException exception)
        {
            throw Translate(exception, $"cannot mount {target} at {where}");
        }

        return new(Outcome.Created, where);
    }

    /// <summary>
    /// Unmounts a subvolume or snapshot wherever it is mounted; given a directory instead (a path holds a '/' or starts
    /// with '.', which no name can), unmounts the subvolume or snapshot of this pool that is mounted there.
    /// </summary>
    public Outcome Unmount(string target)
    {
        if (target.Contains('/') || target.StartsWith('.'))
        {
            return UnmountDirectory(target);
        }

        using var writeLock = AcquireWriteLock();
        var (subvolume, snapshot) = SnapshotReference.Split(target);
        string image;
        if (snapshot is null)
        {
            RequireSubvolume(subvolume);
            image = _layout.SubvolumeImage(subvolume);
        }
        else
        {
            RequireSnapshot(new SnapshotReference(subvolume, snapshot));
            image = _layout.SnapshotImage(subvolume, snapshot);
        }

        var unmounted = ImageMounts.Unmount(image);
        foreach (var directory in unmounted.Where(path => System.IO.Path.GetDirectoryName(path) == _layout.MountsDirectory))
        {
            DeleteDirectoryIfEmpty(directory);
        }

        return unmounted.Count > 0 ? Outcome.Deleted : Outcome.AlreadyGone;
    }

    private Outcome UnmountDirectory(string directory)
    {
        using var writeLock = AcquireWriteLock();
        var where = System.IO.Path.TrimEndingDirectorySeparator(System.IO.Path.GetFullPath(directory));
        if (Linux.Mounts.FindByTarget(where) is not { } mount)
        {
            throw SubvolException.NotFound($"nothing is mounted at {where}", "'subvol list -t all' shows where each subvolume and snapshot is mounted");
        }

        var image = ImageMounts.ImageMountedAt(mount);
        var ours = image is not null
            && (System.IO.Path.GetDirectoryName(image) == _layout.SubvolumesDirectory || System.IO.Path.GetDirectoryName(System.IO.Path.GetDirectoryName(image)) == _layout.SnapshotsDirectory);
        if (!ours)
        {
            throw SubvolException.Invalid($"{where} has {mount.Source} mounted on it, which is no subvolume or snapshot of pool {_layout.Root}; leaving it alone");
        }

        ImageMounts.UnmountTarget(where);
        if (System.IO.Path.GetDirectoryName(where) == _layout.MountsDirectory)
        {
            DeleteDirectoryIfEmpty(where);
        }

        return Outcome.Deleted;
    }
}
