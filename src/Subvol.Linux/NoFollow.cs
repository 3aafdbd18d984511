using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// Opens files that untrusted input may have planted a symbolic link at: O_NOFOLLOW fails with
/// ELOOP on a link, and O_CREAT|O_EXCL never follows one (open(2)).
/// </summary>
public static class NoFollow
{
    public static SafeFileHandle OpenExisting(string path) =>
        Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_RDWR | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0), "open", path);

    public static SafeFileHandle CreateNew(string path) =>
        Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_WRONLY | Interop.Libc.O_CREAT | Interop.Libc.O_EXCL | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0x180), "open", path);
}
