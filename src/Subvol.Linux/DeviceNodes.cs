namespace Subvol.Linux;

/// <summary>Which device a device node stands for, from statx(2), so that a bind-mounted node can be told apart from another.</summary>
public static class DeviceNodes
{
    private const uint STATX_TYPE = 0x1;
    private const int S_IFMT = 0xF000;
    private const int S_IFBLK = 0x6000;

    /// <summary>The major and minor numbers of the block device node at <paramref name="path"/>, or null when it is something else.</summary>
    public static unsafe (uint Major, uint Minor)? BlockDevice(string path)
    {
        Interop.Libc.StatxBuffer buffer;
        Interop.CheckIo(Interop.Libc.Statx(Interop.Libc.AT_FDCWD, path, Interop.Libc.AT_STATX_SYNC_AS_STAT, STATX_TYPE, &buffer), "statx", path);
        return (buffer.stx_mode & S_IFMT) == S_IFBLK ? (buffer.stx_rdev_major, buffer.stx_rdev_minor) : null;
    }
}
