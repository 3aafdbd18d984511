using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>The immutable attribute (chattr(1) +i): no one, not even root, may write, rename or delete the file.</summary>
public static class ImmutableAttribute
{
    public static bool Get(string path)
    {
        using var file = Open(path);
        return Get(file, path);
    }

    public static void Set(string path, bool immutable)
    {
        using var file = Open(path);
        Set(file, path, immutable);
    }

    /// <summary>Whether the open file is immutable; <paramref name="path"/> names it in errors.</summary>
    public static unsafe bool Get(SafeFileHandle file, string path)
    {
        int flags;
        Interop.CheckIo(Interop.Libc.IoctlFlags(file, Interop.Libc.FS_IOC_GETFLAGS, &flags), "FS_IOC_GETFLAGS", path);
        return (flags & Interop.Libc.FS_IMMUTABLE_FL) != 0;
    }

    /// <summary>Marks the open file immutable or not; <paramref name="path"/> names it in errors.</summary>
    public static unsafe void Set(SafeFileHandle file, string path, bool immutable)
    {
        int flags;
        Interop.CheckIo(Interop.Libc.IoctlFlags(file, Interop.Libc.FS_IOC_GETFLAGS, &flags), "FS_IOC_GETFLAGS", path);
        var wanted = immutable ? flags | Interop.Libc.FS_IMMUTABLE_FL : flags & ~Interop.Libc.FS_IMMUTABLE_FL;
        if (wanted != flags)
        {
            Interop.CheckIo(Interop.Libc.IoctlFlags(file, Interop.Libc.FS_IOC_SETFLAGS, &wanted), "FS_IOC_SETFLAGS", path);
        }
    }

    // Read-only and non-blocking, as chattr(1) opens: an immutable file cannot be opened for writing, and a FIFO must not block.
    private static SafeFileHandle Open(string path) =>
        Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_RDONLY | Interop.Libc.O_NONBLOCK | Interop.Libc.O_CLOEXEC, 0), "open", path);
}
