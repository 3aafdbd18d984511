namespace Subvol.Linux;

/// <summary>
/// What a path leads to, as the kernel tells files apart (statx(2): the device and inode number, links followed). Two
/// names of one directory, through a symbolic link or a bind mount, have the same identity, however they are spelled.
/// </summary>
public readonly record struct FileIdentity(uint DeviceMajor, uint DeviceMinor, ulong Inode)
{
    /// <summary>The identity of what <paramref name="path"/> leads to, or null when nothing is there.</summary>
    public static unsafe FileIdentity? Of(string path)
    {
        Interop.Libc.StatxBuffer buffer;
        if (Interop.Libc.Statx(Interop.Libc.AT_FDCWD, path, Interop.Libc.AT_STATX_SYNC_AS_STAT, Interop.Libc.STATX_INO, &buffer) != 0)
        {
            var exception = Interop.GetExceptionForLastError("statx", path);
            return exception.Errno is Errno.ENOENT or Errno.ENOTDIR ? null : throw exception;
        }

        return new FileIdentity(buffer.stx_dev_major, buffer.stx_dev_minor, buffer.stx_ino);
    }
}
