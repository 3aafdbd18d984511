namespace Subvol.Linux;

/// <summary>What a path leads to, links followed (statx(2)): a file, a directory, something else such as a device or a pipe, or nothing.</summary>
public static class PathKind
{
    private const int S_IFMT = 0xF000;
    private const int S_IFREG = 0x8000;
    private const int S_IFDIR = 0x4000;

    public static unsafe EntryKind Of(string path)
    {
        Interop.Libc.StatxBuffer buffer;
        if (Interop.Libc.Statx(Interop.Libc.AT_FDCWD, path, Interop.Libc.AT_STATX_SYNC_AS_STAT, Interop.Libc.STATX_TYPE, &buffer) != 0)
        {
            var exception = Interop.GetExceptionForLastError("statx", path);
            return exception.Errno == Errno.ENOENT ? EntryKind.Missing : throw exception;
        }

        return (buffer.stx_mode & S_IFMT) switch
        {
            S_IFREG => EntryKind.File,
            S_IFDIR => EntryKind.Directory,
            _ => EntryKind.Other,
        };
    }
}
