using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// A frozen filesystem (FIFREEZE in ioctl_fsfreeze, see fsfreeze(8)): writes block until <see cref="Thaw"/> or <see cref="Dispose"/>.
/// </summary>
public sealed class Freeze : IDisposable
{
    private bool _frozen;

    private Freeze(string mountPoint)
    {
        MountPoint = mountPoint;
        _frozen = true;
    }

    public string MountPoint { get; }

    /// <summary>Freezes the filesystem mounted at <paramref name="mountPoint"/>, flushing it first as the kernel does.</summary>
    public static Freeze Begin(string mountPoint)
    {
        using var directory = OpenMountPoint(mountPoint);
        Interop.CheckIo(Interop.Libc.Ioctl(directory, Interop.Libc.FIFREEZE, 0), "FIFREEZE", mountPoint);
        return new Freeze(mountPoint);
    }

    /// <summary>Thaws the filesystem; throws when the kernel refuses.</summary>
    public void Thaw()
    {
        if (!_frozen)
        {
            return;
        }

        using (var directory = OpenMountPoint(MountPoint))
        {
            Interop.CheckIo(Interop.Libc.Ioctl(directory, Interop.Libc.FITHAW, 0), "FITHAW", MountPoint);
        }

        _frozen = false;
    }

    /// <summary>Thaws the filesystem if this scope still holds it frozen; never throws.</summary>
    public void Dispose()
    {
        if (_frozen)
        {
            _frozen = false;
            try
            {
                TryThaw(MountPoint);
            }
            catch (Exception)
            {
                // Dispose must not throw; a filesystem left frozen is found by its freeze record.
            }
        }
    }

    /// <summary>Thaws <paramref name="mountPoint"/>; false when it was not frozen (EINVAL) or the path is gone.</summary>
    public static bool TryThaw(string mountPoint)
    {
        SafeFileHandle directory;
        try
        {
            directory = OpenMountPoint(mountPoint);
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.ENOENT or Errno.ENOTDIR)
        {
            return false;
        }

        using (directory)
        {
            if (Interop.Libc.Ioctl(directory, Interop.Libc.FITHAW, 0) == 0)
            {
                return true;
            }

            var exception = Interop.GetExceptionForLastError("FITHAW", mountPoint);
            return exception.Errno == Errno.EINVAL ? false : throw exception;
        }
    }

    /// <summary>
    /// Whether the filesystem at <paramref name="mountPoint"/> is frozen by userspace.
    /// </summary>
    /// <remarks>
    /// The kernel exposes no freeze state for a mounted filesystem, so this asks FIFREEZE: EBUSY means it was
    /// already frozen, and success means it was not, in which case it is thawed at once.
    /// </remarks>
    public static bool IsFrozen(string mountPoint)
    {
        using var directory = OpenMountPoint(mountPoint);
        if (Interop.Libc.Ioctl(directory, Interop.Libc.FIFREEZE, 0) == 0)
        {
            Interop.CheckIo(Interop.Libc.Ioctl(directory, Interop.Libc.FITHAW, 0), "FITHAW", mountPoint);
            return false;
        }

        var exception = Interop.GetExceptionForLastError("FIFREEZE", mountPoint);
        return exception.Errno == Errno.EBUSY ? true : throw exception;
    }

    internal static SafeFileHandle OpenMountPoint(string mountPoint) =>
        Interop.CheckIo(Interop.Libc.Open(mountPoint, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY | Interop.Libc.O_CLOEXEC, 0), "open", mountPoint);
}
