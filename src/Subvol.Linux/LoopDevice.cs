using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// An open loop device bound to an image file (loop(4)); the scope holds the device open, so an auto-clearing
/// device stays attached until whatever mounted it lets go.
/// </summary>
public sealed class LoopDevice : IDisposable
{
    private const string ControlPath = "/dev/loop-control";
    private const int AttachAttempts = 16;

    // A 4096-byte logical block lets direct I/O reach any host filesystem without misaligned requests.
    private const uint DirectIoBlockSize = 4096;

    private SafeFileHandle? _device;

    private LoopDevice(SafeFileHandle device, string devicePath, string imagePath)
    {
        _device = device;
        DevicePath = devicePath;
        ImagePath = imagePath;
    }

    public string DevicePath { get; }

    public string ImagePath { get; }

    /// <summary>Whether the kernel does direct I/O to the image, read back from /sys/block/loopN/loop/dio.</summary>
    public bool DirectIo => ReadSysFlag(SysDirectory(DevicePath), "loop/dio");

    /// <summary>Binds <paramref name="imagePath"/> to a free loop device with LOOP_CONFIGURE.</summary>
    public static LoopDevice Attach(string imagePath, bool readOnly, bool directIo, bool autoClear)
    {
        var fullPath = Path.GetFullPath(imagePath);
        using var image = Interop.CheckIo(Interop.Libc.Open(fullPath, (readOnly ? Interop.Libc.O_RDONLY : Interop.Libc.O_RDWR) | Interop.Libc.O_CLOEXEC, 0), "open", fullPath);
        return Attach(image, fullPath, readOnly, directIo, autoClear);
    }

    /// <summary>Binds the open image to a free loop device: the device holds exactly the file that was opened.</summary>
    /// <param name="image">Opened read-only or read-write, as <paramref name="readOnly"/> says.</param>
    public static LoopDevice Attach(SafeFileHandle image, string imagePath, bool readOnly, bool directIo, bool autoClear)
    {
        using var control = Interop.CheckIo(Interop.Libc.Open(ControlPath, Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC, 0), "open", ControlPath);

        var flags = (readOnly ? Interop.Libc.LO_FLAGS_READ_ONLY : 0) | (autoClear ? Interop.Libc.LO_FLAGS_AUTOCLEAR : 0);
        for (var attempt = 1; ; attempt++)
        {
            var number = Interop.CheckIo(Interop.Libc.Ioctl(control, Interop.Libc.LOOP_CTL_GET_FREE, 0), "LOOP_CTL_GET_FREE", ControlPath);
            var devicePath = $"/dev/loop{number}";
            var device = Interop.CheckIo(Interop.Libc.Open(devicePath, Interop.Libc.O_RDWR | Interop.Libc.O_CLOEXEC, 0), "open", devicePath);
            try
            {
                var errno = Configure(device, image, imagePath, flags, directIo);
                if (errno == 0)
                {
                    return new LoopDevice(device, devicePath, imagePath);
                }

                // Another process may bind the device between LOOP_CTL_GET_FREE and LOOP_CONFIGURE; ask for another.
                if (errno != Errno.EBUSY || attempt == AttachAttempts)
                {
                    throw new SystemCallException("LOOP_CONFIGURE", imagePath, errno);
                }
            }
            catch
            {
                device.Dispose();
                throw;
            }

            device.Dispose();
        }
    }

    /// <summary>Unbinds the image (LOOP_CLR_FD); the kernel completes it when the device is last closed, which this does.</summary>
    public void Detach()
    {
        var device = _device ?? throw new ObjectDisposedException(nameof(LoopDevice));
        Interop.CheckIo(Interop.Libc.Ioctl(device, Interop.Libc.LOOP_CLR_FD, 0), "LOOP_CLR_FD", DevicePath);
        Dispose();
    }

    /// <summary>Closes the device; with auto-clear the kernel detaches it once no one else holds it.</summary>
    public void Dispose()
    {
        _device?.Dispose();
        _device = null;
    }

    /// <summary>Makes the device take the image's current size (LOOP_SET_CAPACITY), after the image grew.</summary>
    public static void RefreshCapacity(string devicePath)
    {
        using var device = Interop.CheckIo(Interop.Libc.Open(devicePath, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0), "open", devicePath);
        Interop.CheckIo(Interop.Libc.Ioctl(device, Interop.Libc.LOOP_SET_CAPACITY, 0), "LOOP_SET_CAPACITY", devicePath);
    }

    /// <summary>
    /// Unbinds <paramref name="devicePath"/> if it still holds <paramref name="backingFile"/>; nothing happens when
    /// it holds another file, none, or does not exist.
    /// </summary>
    /// <remarks>
    /// Device numbers are shared by every process on the machine, so a number read from a listing may have been
    /// freed and bound to someone else's image since. The backing file is checked with the device held open: while
    /// it is open the kernel cannot unbind it and bind it anew, so the check and the LOOP_CLR_FD see the same binding.
    /// </remarks>
    public static void DetachDevice(string devicePath, string backingFile)
    {
        var device = Interop.Libc.Open(devicePath, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0);
        if (device.IsInvalid)
        {
            var exception = Interop.GetExceptionForLastError("open", devicePath);
            device.Dispose();
            if (exception.Errno is Errno.ENOENT or Errno.ENXIO or Errno.ENODEV)
            {
                return;
            }

            throw exception;
        }

        using (device)
        {
            if (BackingFileOf(devicePath) != Path.GetFullPath(backingFile))
            {
                return;
            }

            if (Interop.Libc.Ioctl(device, Interop.Libc.LOOP_CLR_FD, 0) != 0)
            {
                var exception = Interop.GetExceptionForLastError("LOOP_CLR_FD", devicePath);

                // ENXIO: the device has no backing file, so it is already detached (loop(4)).
                if (exception.Errno is not (Errno.ENXIO or Errno.ENODEV))
                {
                    throw exception;
                }
            }
        }
    }

    /// <summary>Every loop device that has a backing file.</summary>
    public static IReadOnlyList<LoopDeviceInfo> List()
    {
        var devices = new List<LoopDeviceInfo>();
        if (!Directory.Exists("/sys/block"))
        {
            return devices;
        }

        foreach (var directory in Directory.EnumerateDirectories("/sys/block", "loop*"))
        {
            var backing = ReadBackingFile(directory);
            if (backing is null)
            {
                continue;
            }

            devices.Add(new LoopDeviceInfo(
                "/dev/" + Path.GetFileName(directory),
                backing,
                ReadSysFlag(directory, "loop/autoclear"),
                ReadSysFlag(directory, "ro"),
                ReadSysFlag(directory, "loop/dio")));
        }

        devices.Sort((left, right) => DeviceNumber(left.DevicePath).CompareTo(DeviceNumber(right.DevicePath)));
        return devices;
    }

    /// <summary>
    /// Every loop device bound to the file at <paramref name="imagePath"/>, whoever attached it and through whatever path
    /// (another link to it, a bind mount): each loop device the kernel lists in /sys/block is asked for the device and
    /// inode of its backing file with LOOP_GET_STATUS64, one ioctl each, and those that hold this file's inode are returned.
    /// </summary>
    /// <remarks>
    /// The file is reached without following any link (openat2 RESOLVE_NO_SYMLINKS), so a link planted in its path matches
    /// no device rather than another file's. Where that fails (a link in the path, or the file was unlinked while still
    /// attached), devices are matched by the path the kernel reports, as <see cref="List"/> does.
    /// </remarks>
    public static IReadOnlyList<LoopDeviceInfo> ListBackedBy(string imagePath)
    {
        var fullPath = Path.GetFullPath(imagePath);
        if (Identify(fullPath) is not { } identity)
        {
            return List().Where(device => device.BackingFile == fullPath).ToList();
        }

        if (!Directory.Exists("/sys/block"))
        {
            return [];
        }

        return BackedBy(identity, Directory.EnumerateFileSystemEntries("/sys/block", "loop*").Select(entry => "/dev/" + Path.GetFileName(entry)));
    }

    /// <summary>
    /// Those of <paramref name="devicePaths"/> (such as the sources of the mount table) that are loop devices bound to the
    /// file at <paramref name="imagePath"/>, each asked with LOOP_GET_STATUS64 as <see cref="ListBackedBy(string)"/> asks
    /// every one; anything else named (another block device, a device since unbound) is left out.
    /// </summary>
    public static IReadOnlyList<LoopDeviceInfo> ListBackedBy(string imagePath, IEnumerable<string> devicePaths)
    {
        var fullPath = Path.GetFullPath(imagePath);
        var loopDevices = devicePaths.Where(IsLoopDevicePath).Distinct(StringComparer.Ordinal);
        if (Identify(fullPath) is not { } identity)
        {
            return List().Where(device => device.BackingFile == fullPath && loopDevices.Contains(device.DevicePath)).ToList();
        }

        return BackedBy(identity, loopDevices);
    }

    private static List<LoopDeviceInfo> BackedBy((ulong Device, ulong Inode) identity, IEnumerable<string> devicePaths)
    {
        var devices = new List<LoopDeviceInfo>();
        foreach (var devicePath in devicePaths)
        {
            var entry = SysDirectory(devicePath);
            if (BackingInode(devicePath, entry) is { } backing && backing.Inode == identity.Inode && backing.Device == identity.Device
                && ReadBackingFile(entry) is { } backingFile)
            {
                devices.Add(new LoopDeviceInfo(
                    devicePath,
                    backingFile,
                    (backing.Flags & Interop.Libc.LO_FLAGS_AUTOCLEAR) != 0,
                    (backing.Flags & Interop.Libc.LO_FLAGS_READ_ONLY) != 0,
                    (backing.Flags & Interop.Libc.LO_FLAGS_DIRECT_IO) != 0));
            }
        }

        devices.Sort((left, right) => DeviceNumber(left.DevicePath).CompareTo(DeviceNumber(right.DevicePath)));
        return devices;
    }

    /// <summary>A name of the kind the kernel gives loop devices (/dev/loopN), which is how the mount table names their mounts.</summary>
    private static bool IsLoopDevicePath(string path) =>
        path.StartsWith("/dev/loop", StringComparison.Ordinal) && path.Length > "/dev/loop".Length && path.AsSpan("/dev/loop".Length).IndexOfAnyExceptInRange('0', '9') < 0;

    /// <summary>The loop device backed by <paramref name="imagePath"/>, or null.</summary>
    public static LoopDeviceInfo? FindByBackingFile(string imagePath)
    {
        var fullPath = Path.GetFullPath(imagePath);
        return List().FirstOrDefault(device => string.Equals(Path.GetFullPath(device.BackingFile), fullPath, StringComparison.Ordinal));
    }

    private static int Configure(SafeFileHandle device, SafeFileHandle image, string imagePath, uint flags, bool directIo)
    {
        var errno = ConfigureOnce(device, image, imagePath, flags | (directIo ? Interop.Libc.LO_FLAGS_DIRECT_IO : 0), directIo);

        // Direct I/O is refused when the host filesystem cannot do it (tmpfs) or cannot align to the block size.
        if (directIo && errno == Errno.EINVAL)
        {
            errno = ConfigureOnce(device, image, imagePath, flags, directIo);
        }

        return errno;
    }

    private static unsafe int ConfigureOnce(SafeFileHandle device, SafeFileHandle image, string imagePath, uint flags, bool directIo)
    {
        var config = default(Interop.Libc.LoopConfig);
        config.fd = (uint)image.DangerousGetHandle();
        config.block_size = directIo ? DirectIoBlockSize : 0;
        config.info.lo_flags = flags;

        // lo_file_name is informational (losetup -l shows it); the kernel keeps at most 63 bytes.
        var name = Encoding.UTF8.GetBytes(imagePath);
        var length = Math.Min(name.Length, Interop.Libc.LO_NAME_SIZE - 1);
        name.AsSpan(0, length).CopyTo(new Span<byte>(config.info.lo_file_name, Interop.Libc.LO_NAME_SIZE));

        var added = false;
        image.DangerousAddRef(ref added);
        try
        {
            return Interop.Libc.Ioctl(device, Interop.Libc.LOOP_CONFIGURE, &config) == 0 ? 0 : Marshal.GetLastPInvokeError();
        }
        finally
        {
            if (added)
            {
                image.DangerousRelease();
            }
        }
    }

    /// <summary>The device (as the kernel encodes a dev_t in loop_info64) and inode of a file reached without links, or null.</summary>
    private static unsafe (ulong Device, ulong Inode)? Identify(string fullPath)
    {
        var how = new Interop.Libc.OpenHow
        {
            flags = (ulong)(Interop.Libc.O_PATH | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC),
            resolve = Interop.Libc.RESOLVE_NO_SYMLINKS,
        };
        using var currentDirectory = new SafeFileHandle(Interop.Libc.AT_FDCWD, ownsHandle: false);
        var fd = Interop.Libc.OpenAt2(currentDirectory, fullPath, how);
        if (fd < 0)
        {
            return null;
        }

        using var file = new SafeFileHandle((nint)fd, ownsHandle: true);
        Interop.Libc.StatxBuffer buffer;
        if (Interop.Libc.Statx(file, "", Interop.Libc.AT_EMPTY_PATH, Interop.Libc.STATX_INO, &buffer) != 0)
        {
            return null;
        }

        return (EncodeDevice(buffer.stx_dev_major, buffer.stx_dev_minor), buffer.stx_ino);
    }

    /// <summary>
    /// The backing file's device, inode and flags of a bound loop device (LOOP_GET_STATUS64), or null when it is unbound or gone.
    /// Where the node cannot be asked (missing from /dev, or an unexpected error), the file the kernel names in sysfs is looked
    /// up instead, so no bound device is skipped.
    /// </summary>
    private static unsafe (ulong Device, ulong Inode, uint Flags)? BackingInode(string devicePath, string sysDirectory)
    {
        // Read-only: closing a node opened for writing makes udev rescan the device.
        using (var device = Interop.Libc.Open(devicePath, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0))
        {
            var info = default(Interop.Libc.LoopInfo64);
            var errno = device.IsInvalid ? Marshal.GetLastPInvokeError()
                : Interop.Libc.Ioctl(device, Interop.Libc.LOOP_GET_STATUS64, &info) == 0 ? 0 : Marshal.GetLastPInvokeError();
            if (errno == 0)
            {
                return (info.lo_device, info.lo_inode, info.lo_flags);
            }

            // ENXIO: the device has no backing file (loop(4)); ENODEV: it was removed since the listing.
            if (errno is Errno.ENXIO or Errno.ENODEV)
            {
                return null;
            }
        }

        if (ReadBackingFile(sysDirectory) is not { } path || Identify(path) is not { } identity)
        {
            return null;
        }

        var flags = (ReadSysFlag(sysDirectory, "loop/autoclear") ? Interop.Libc.LO_FLAGS_AUTOCLEAR : 0)
            | (ReadSysFlag(sysDirectory, "ro") ? Interop.Libc.LO_FLAGS_READ_ONLY : 0)
            | (ReadSysFlag(sysDirectory, "loop/dio") ? Interop.Libc.LO_FLAGS_DIRECT_IO : 0);
        return (identity.Device, identity.Inode, flags);
    }

    /// <summary>A device number as the kernel's new_encode_dev() packs it, which is how loop_info64 reports lo_device.</summary>
    private static ulong EncodeDevice(uint major, uint minor) => (minor & 0xffUL) | ((ulong)major << 8) | ((minor & ~0xffUL) << 12);

    private static string? BackingFileOf(string devicePath) => ReadBackingFile(SysDirectory(devicePath));

    /// <summary>
    /// Whether the file a loop device is bound to was deleted since: the device still holds it, and with it whatever
    /// lives in it, until it is detached. False for a device that is not bound.
    /// </summary>
    public static bool BackingFileDeleted(string devicePath) =>
        ReadSysText(SysDirectory(devicePath), "loop/backing_file") is { } backing && backing.EndsWith(DeletedSuffix, StringComparison.Ordinal);

    /// <summary>What the kernel appends to the path of a file that was unlinked (d_path(9)).</summary>
    private const string DeletedSuffix = " (deleted)";

    private static string? ReadBackingFile(string directory)
    {
        var backing = ReadSysText(directory, "loop/backing_file");
        if (string.IsNullOrEmpty(backing))
        {
            return null;
        }

        return backing.EndsWith(DeletedSuffix, StringComparison.Ordinal) ? backing[..^DeletedSuffix.Length] : backing;
    }

    private static string SysDirectory(string devicePath) => Path.Combine("/sys/block", Path.GetFileName(devicePath));

    private static string? ReadSysText(string directory, string file)
    {
        try
        {
            return File.ReadAllText(Path.Combine(directory, file)).TrimEnd('\n');
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // The device can be detached between listing and reading.
            return null;
        }
    }

    private static bool ReadSysFlag(string directory, string file) => ReadSysText(directory, file)?.Trim() == "1";

    private static int DeviceNumber(string devicePath) =>
        int.TryParse(Path.GetFileName(devicePath).AsSpan("loop".Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number) ? number : int.MaxValue;
}
