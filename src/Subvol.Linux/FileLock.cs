using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>An advisory lock (flock(2)) on a file, held until disposed or until the process ends.</summary>
public sealed class FileLock : IDisposable
{
    // Octal 0600: only the owner (root) ever takes the lock.
    private const int LockFileMode = 0x180;

    private readonly SafeFileHandle _file;

    private FileLock(SafeFileHandle file, string path)
    {
        _file = file;
        Path = path;
    }

    public string Path { get; }

    /// <summary>Locks <paramref name="path"/>, creating it if missing, and waits while another holder conflicts.</summary>
    public static FileLock Acquire(string path, bool exclusive) => Acquire(OpenLockFile(path), path, exclusive);

    /// <summary>Locks an open file, which the lock then owns, and waits while another holder conflicts.</summary>
    public static FileLock Acquire(SafeFileHandle file, string path, bool exclusive)
    {
        try
        {
            while (Interop.Libc.Flock(file, exclusive ? Interop.Libc.LOCK_EX : Interop.Libc.LOCK_SH) != 0)
            {
                var exception = Interop.GetExceptionForLastError("flock", path);

                // A signal handler interrupted the wait; waiting again is what the caller asked for.
                if (exception.Errno != Errno.EINTR)
                {
                    throw exception;
                }
            }
        }
        catch
        {
            file.Dispose();
            throw;
        }

        return new FileLock(file, path);
    }

    /// <summary>Locks <paramref name="path"/> if no other holder conflicts, else returns null.</summary>
    public static FileLock? TryAcquire(string path, bool exclusive)
    {
        var file = OpenLockFile(path);
        if (Interop.Libc.Flock(file, (exclusive ? Interop.Libc.LOCK_EX : Interop.Libc.LOCK_SH) | Interop.Libc.LOCK_NB) == 0)
        {
            return new FileLock(file, path);
        }

        var exception = Interop.GetExceptionForLastError("flock", path);
        file.Dispose();
        return exception.Errno == Errno.EWOULDBLOCK ? null : throw exception;
    }

    /// <summary>Releases the lock by closing the file, which flock(2) ties it to.</summary>
    public void Dispose() => _file.Dispose();

    private static SafeFileHandle OpenLockFile(string path) =>
        Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_RDWR | Interop.Libc.O_CREAT | Interop.Libc.O_CLOEXEC, LockFileMode), "open", path);
}
