using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Subvolumes;

/// <summary>
/// Where an image is attached and mounted, derived from the kernel each time (loop backing files
/// and mountinfo), so the pool never stores state that a reboot would make stale.
/// </summary>
internal static class ImageMounts
{
    public static IReadOnlyList<MountEntry> Find(string image) => MountsOf(LoopDevices(image));

    /// <summary>The mounts of an image whose loop devices the caller has looked up already, so one operation looks once.</summary>
    public static IReadOnlyList<MountEntry> MountsOf(IReadOnlyList<LoopDeviceInfo> devices)
    {
        if (devices.Count == 0)
        {
            return [];
        }

        return Mounts.Read().Where(mount => devices.Any(device => device.DevicePath == mount.Source)).ToList();
    }

    /// <summary>
    /// Every loop device holding the image, found by its inode, so one attached by hand through another path counts too.
    /// Nothing remembered is trusted: the kernel is asked each time.
    /// </summary>
    public static IReadOnlyList<LoopDeviceInfo> LoopDevices(string image) => LoopDevice.ListBackedBy(image);

    /// <summary>
    /// The loop devices through which the image is mounted or, when it is mounted nowhere, every loop device holding it:
    /// what a snapshot needs (which mount to freeze, and whether anything may be writing). The mount table's own loop
    /// devices are asked first, one LOOP_GET_STATUS64 each, so a mounted image costs no walk over every loop device.
    /// </summary>
    public static IReadOnlyList<LoopDeviceInfo> MountingOrHolding(string image)
    {
        var mounting = LoopDevice.ListBackedBy(image, Mounts.Read().Select(mount => mount.Source));
        return mounting.Count > 0 ? mounting : LoopDevices(image);
    }

    /// <summary>The image attached to the loop device a mount reports as its source, or null for any other mount.</summary>
    public static string? ImageMountedAt(MountEntry mount) =>
        LoopDevice.List().FirstOrDefault(device => device.DevicePath == mount.Source)?.BackingFile;

    /// <summary>How long an unmount that finds the mount busy keeps trying before it reports so.</summary>
    private static readonly TimeSpan BusyPatience = TimeSpan.FromMilliseconds(500);

    /// <summary>Unmounts one mount point of an image; autoclear detaches the loop device with its last mount.</summary>
    public static void UnmountTarget(string target)
    {
        try
        {
            Mounts.UnmountPatiently(target, BusyPatience);
        }
        catch (SystemCallException exception) when (exception.Errno == Errno.EBUSY)
        {
            throw SubvolException.Busy($"{target} is busy ({exception.Message}); close the programs using it (see 'fuser -vm {target}') and try again");
        }
    }

    /// <summary>The writable mount of an image, which is what a snapshot must freeze.</summary>
    public static MountEntry? FindWritable(string image) => FindWritable(LoopDevices(image));

    /// <summary>The writable mount among those of <paramref name="devices"/>, the loop devices of one image.</summary>
    public static MountEntry? FindWritable(IReadOnlyList<LoopDeviceInfo> devices) =>
        MountsOf(devices).FirstOrDefault(mount => !mount.MountOptions.Split(',').Contains("ro"));

    /// <summary>
    /// Attaches the image, opened beneath the pool's root, and mounts it. A target inside the pool (mounts/NAME) is
    /// made and opened there too and mounted onto through its descriptor, since mount(2) follows links in a path.
    /// </summary>
    public static void Mount(Pools.PoolFiles files, string image, string target, string fileSystem, bool readOnly, string? options) =>
        Mount(files, image, target, fileSystem, readOnly ? MountFlags.ReadOnly : MountFlags.None, options);

    /// <summary>The same, with mount(2) flags (read-only, noatime, nodev…) that the caller chose.</summary>
    public static void Mount(Pools.PoolFiles files, string image, string target, string fileSystem, MountFlags flags, string? options)
    {
        var readOnly = (flags & MountFlags.ReadOnly) != 0;
        // Autoclear detaches the loop device when the filesystem is unmounted, so nothing leaks.
        using var loop = files.Attach(image, readOnly, autoClear: true);
        if (target.StartsWith(files.Root + "/", StringComparison.Ordinal))
        {
            files.CreateDirectory(target);
            using var mountPoint = files.OpenMountPoint(target);
            Mounts.Mount(loop.DevicePath, mountPoint, target, fileSystem, flags, options);
        }
        else
        {
            Directory.CreateDirectory(target);
            Mounts.Mount(loop.DevicePath, target, fileSystem, flags, options);
        }

        if (fileSystem == FileSystemKind.Xfs && !readOnly)
        {
            ConfigureErrors(loop.DevicePath);
        }
    }

    /// <summary>
    /// When the host runs out of space, XFS by default retries metadata writes forever, which hangs
    /// the filesystem and every process in it. We retry for a minute, time for the guard or a person
    /// to free space, then let XFS shut the filesystem down cleanly (its log keeps it consistent),
    /// and never let unmount hang on such errors.
    /// </summary>
    public static void ConfigureErrors(string devicePath) =>
        XfsErrorBehaviour.Configure(devicePath, noSpaceRetrySeconds: 60, failAtUnmount: true);

    /// <summary>Unmounts every mount of the image and detaches its loop devices; returns the mount points it unmounted.</summary>
    public static IReadOnlyList<string> Unmount(string image)
    {
        var unmounted = new List<string>();
        foreach (var mount in Find(image))
        {
            UnmountTarget(mount.Target);
            unmounted.Add(mount.Target);
        }

        // Autoclear normally detaches on the last unmount; a device left attached without a mount is detached here.
        foreach (var device in LoopDevices(image))
        {
            if (Mounts.FindBySource(device.DevicePath).Count == 0)
            {
                LoopDevice.DetachDevice(device.DevicePath, device.BackingFile);
            }
        }

        return unmounted;
    }

    /// <summary>Refuses, naming where, when the image is mounted; <paramref name="remedy"/> says what to unmount.</summary>
    public static void RefuseIfMounted(string image, string what, Remedy remedy)
    {
        if (Find(image) is [var mount, ..])
        {
            throw MountedRefusal(what, mount, remedy);
        }
    }

    /// <summary>Refuses when the image is attached to a loop device, whose user would see its image change underneath.</summary>
    public static void RefuseIfAttached(string image, string name)
    {
        if (LoopDevices(image) is [var device, ..])
        {
            throw AttachedRefusal(name, device);
        }
    }

    /// <summary>
    /// Refuses when the image is mounted (naming where) or, mounted nowhere, still attached to a loop device: what an
    /// operation that replaces or removes the image must know, from one look at the loop devices.
    /// </summary>
    public static void RefuseIfInUse(string image, string what, Remedy unmount, string name)
    {
        var devices = LoopDevices(image);
        if (devices.Count == 0)
        {
            return;
        }

        if (MountsOf(devices) is [var mount, ..])
        {
            throw MountedRefusal(what, mount, unmount);
        }

        throw AttachedRefusal(name, devices[0]);
    }

    private static SubvolException MountedRefusal(string what, MountEntry mount, Remedy remedy) =>
        SubvolException.Busy($"{what} is mounted at {mount.Target}", remedy);

    private static SubvolException AttachedRefusal(string name, LoopDeviceInfo device) =>
        SubvolException.Busy(
            $"the image of {Printable.Quote(name)} is attached to {device.DevicePath}",
            new Remedy.Advice($"detach it with 'losetup -d {device.DevicePath}' first"));

    /// <summary>Whether <paramref name="path"/> is a device node for one of <paramref name="devices"/>.</summary>
    public static bool IsNodeOf(string path, IEnumerable<LoopDeviceInfo> devices)
    {
        if (!File.Exists(path) || DeviceNodes.BlockDevice(path) is not { } node)
        {
            return false;
        }

        return devices.Any(device => File.Exists(device.DevicePath) && DeviceNodes.BlockDevice(device.DevicePath) == node);
    }

    /// <summary>
    /// Whether the kernel shows <paramref name="subvolume"/>'s image mounted at <paramref name="target"/> (spelled as
    /// mountinfo spells it): what a file that remembers a mount is checked against; false for a name no subvolume has.
    /// </summary>
    public static bool SubvolumeMountedAt(PoolLayout layout, string subvolume, string target) =>
        NameRules.Problem(subvolume) is null && Find(layout.SubvolumeImage(subvolume)).Any(mount => mount.Target == target);

    /// <summary>
    /// A mount point a person names for something to be mounted or bound there, as <see cref="NormalizeTarget"/> spells
    /// it; one in the pool's own layout is refused: mounted over, incoming/ or .subvol/ would take the pool's own files
    /// into a subvolume's filesystem, and an image file would be hidden under what is bound onto it.
    /// </summary>
    public static string NewMountPoint(PoolLayout layout, string path)
    {
        var target = NormalizeTarget(path);
        if (layout.IsLayoutPath(target))
        {
            throw SubvolException.Invalid(
                $"{path} is part of pool {layout.Root}'s own layout, where nothing is mounted; mount beneath {layout.MountsDirectory} (without --at, Subvol chooses there) or outside the pool");
        }

        return target;
    }

    /// <summary>
    /// A path as mountinfo spells a mount point: absolute, without a trailing slash, and with its symbolic links resolved,
    /// since the kernel mounts where a link leads and names the mount there.
    /// </summary>
    public static string NormalizeTarget(string path)
    {
        try
        {
            return ResolvedPath.Of(path);
        }
        catch (SystemCallException exception)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, $"{path} cannot be a mount point: {exception.Message}", exception);
        }
    }
}
