using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
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

        using var writeLock = AcquireWriteLock();
        var record = RequireSubvolume(name);
        var image = _layout.SubvolumeImage(name);
        at = NormalizePath(at);
        var mounts = ImageMounts.Find(image);
        if (mounts.Any(mount => mount.Target == at))
        {
            return new(Outcome.AlreadyExisted, at);
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

        var readOnly = (flags & MountFlags.ReadOnly) != 0;
        try
        {
            Directory.CreateDirectory(at);
            // Auto-clear detaches the device at the last unmount; direct I/O keeps the host page cache out (as ImageMounts.Mount).
            using var loop = _files.Attach(image, readOnly, autoClear: true);
            var ours = FileSystemKind.SubvolumeMountOptions(record.FileSystem);
            var mountData = ours is null || (data?.Split(',').Contains(ours) ?? false) ? data : data is null ? ours : $"{data},{ours}";
            Mounts.Mount(loop.DevicePath, at, record.FileSystem, flags, mountData);
            if (record.FileSystem == FileSystemKind.Xfs && !readOnly)
            {
                ImageMounts.ConfigureErrors(loop.DevicePath);
            }
        }
        catch (SystemCallException exception)
        {
            throw Translate(exception, $"cannot mount {Printable.Quote(name)} at {at}");
        }

        return new(Outcome.Created, at);
    }

    /// <summary>Whether a subvolume is mounted (or bind-mounted) exactly at <paramref name="path"/>.</summary>
    public bool IsMountedAt(string name, string path)
    {
        if (NameRules.Problem(name) is not null || _database.FindSubvolume(name) is null)
        {
            return false;
        }

        var target = NormalizePath(path);
        return ImageMounts.Find(_layout.SubvolumeImage(name)).Any(mount => mount.Target == target);
    }

    /// <summary>Bind-mounts a subvolume's existing mount at <paramref name="from"/> onto <paramref name="at"/>, read-only when asked.</summary>
    public OperationResult<string> BindMount(string name, string from, string at, bool readOnly)
    {
        using var writeLock = AcquireWriteLock();
        RequireSubvolume(name);
        var image = _layout.SubvolumeImage(name);
        from = NormalizePath(from);
        at = NormalizePath(at);
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
            throw Translate(exception, $"cannot bind {from} to {at}");
        }

        return new(Outcome.Created, at);
    }

    /// <summary>
    /// Makes the loop device a subvolume is attached to appear at <paramref name="at"/> by bind-mounting
    /// the device node onto a file there, which is how a container receives a raw block volume.
    /// </summary>
    public OperationResult<string> BindDevice(string name, string at)
    {
        using var writeLock = AcquireWriteLock();
        RequireSubvolume(name);
        var image = _layout.SubvolumeImage(name);
        at = NormalizePath(at);
        var device = ImageMounts.LoopDevices(image).FirstOrDefault(candidate => Mounts.FindBySource(candidate.DevicePath).Count == 0)
            ?? throw SubvolException.Invalid($"subvolume {Printable.Quote(name)} is not attached as a block device; attach it first");
        if (Mounts.FindByTarget(at) is { } other)
        {
            return IsNodeOf(at, [device])
                ? new(Outcome.AlreadyExisted, at)
                : throw SubvolException.AlreadyExists($"{at} already has {other.Source} mounted on it");
        }

        if (Directory.Exists(at))
        {
            throw SubvolException.Invalid($"{at} is a directory; a block device is published on a file");
        }

        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(at)!);
            using (new FileStream(at, FileMode.OpenOrCreate, FileAccess.Write))
            {
            }

            Mounts.Mount(device.DevicePath, at, "none", MountFlags.Bind, null);
        }
        catch (SystemCallException exception)
        {
            throw Translate(exception, $"cannot bind {device.DevicePath} to {at}");
        }

        return new(Outcome.Created, at);
    }

    /// <summary>
    /// Unmounts what of this subvolume is mounted at <paramref name="at"/> (its mount, a bind mount, or its
    /// bound device node), and with <paramref name="removeLeftover"/> deletes the empty directory or file left there.
    /// </summary>
    public Outcome UnmountAt(string name, string at, bool removeLeftover)
    {
        using var writeLock = AcquireWriteLock();
        RequireSubvolume(name);
        var image = _layout.SubvolumeImage(name);
        at = NormalizePath(at);
        var outcome = Outcome.AlreadyGone;
        if (Mounts.FindByTarget(at) is { } mount)
        {
            var devices = ImageMounts.LoopDevices(image);
            if (!devices.Any(device => device.DevicePath == mount.Source) && !IsNodeOf(at, devices))
            {
                throw SubvolException.Busy($"{at} has {mount.Source} mounted on it, which is not subvolume {Printable.Quote(name)}; leaving it alone");
            }

            try
            {
                Mounts.Unmount(at);
            }
            catch (SystemCallException exception)
            {
                throw Translate(exception, $"cannot unmount {at}");
            }

            outcome = Outcome.Deleted;
        }

        if (removeLeftover && Mounts.FindByTarget(at) is null)
        {
            RemoveIfEmpty(at);
        }

        return outcome;
    }

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

    /// <summary>Whether <paramref name="path"/> is a device node for one of <paramref name="devices"/>.</summary>
    private static bool IsNodeOf(string path, IEnumerable<LoopDeviceInfo> devices)
    {
        if (!File.Exists(path) || DeviceNodes.BlockDevice(path) is not { } node)
        {
            return false;
        }

        return devices.Any(device => File.Exists(device.DevicePath) && DeviceNodes.BlockDevice(device.DevicePath) == node);
    }

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

    private static string NormalizePath(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        return full.Length > 1 ? full.TrimEnd('/') : full;
    }
}
