using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>fcntl(2) F_SETPIPE_SZ: how much a pipe holds before its writer waits.</summary>
public static class PipeCapacity
{
    /// <summary>A megabyte: a whole stream record fits, and /proc/sys/fs/pipe-max-size allows it by default.</summary>
    public const int Wide = 1 << 20;

    /// <summary>
    /// Widens the pipe on <paramref name="descriptor"/> so that a sender and a receiver hand over whole records instead of
    /// waking each other every 64 KiB; anything that is not a pipe, or a pipe the system will not widen, is left as it is.
    /// </summary>
    public static void Widen(int descriptor)
    {
        using var handle = new SafeFileHandle(descriptor, ownsHandle: false);
        // EBADF for a file or a terminal, EPERM beyond an unprivileged user's limit: the pipe stays as it was, only slower.
        _ = Interop.Libc.Fcntl(handle, Interop.Libc.F_SETPIPE_SZ, Wide);
    }
}
