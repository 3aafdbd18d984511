using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// XFS's copy-on-write extent size hint (xfs_io's cowextsize): how much a write into a shared extent reserves at a
/// time. The default reserves 32 blocks around every such write, and a write that covers less gives the rest back
/// under the inode's lock, which the writeback of earlier writes holds.
/// </summary>
public static class CopyOnWriteExtentSize
{
    /// <summary>The open file's hint in bytes, 0 where it has none of its own; <paramref name="path"/> names it in errors.</summary>
    public static unsafe uint Get(SafeFileHandle file, string path)
    {
        Interop.Libc.FsXattr attributes;
        Interop.CheckIo(Interop.Libc.Ioctl(file, Interop.Libc.FS_IOC_FSGETXATTR, &attributes), "FS_IOC_FSGETXATTR", path);
        return (attributes.fsx_xflags & Interop.Libc.FS_XFLAG_COWEXTSIZE) != 0 ? attributes.fsx_cowextsize : 0;
    }

    /// <summary>
    /// Sets the open file's hint to <paramref name="bytes"/>, a multiple of its filesystem's block size, or with 0 gives it
    /// back the filesystem's default; <paramref name="path"/> names it in errors. A clone of the whole file takes the hint along.
    /// </summary>
    public static unsafe void Set(SafeFileHandle file, string path, uint bytes)
    {
        Interop.Libc.FsXattr attributes;
        Interop.CheckIo(Interop.Libc.Ioctl(file, Interop.Libc.FS_IOC_FSGETXATTR, &attributes), "FS_IOC_FSGETXATTR", path);
        attributes.fsx_xflags = bytes == 0 ? attributes.fsx_xflags & ~Interop.Libc.FS_XFLAG_COWEXTSIZE : attributes.fsx_xflags | Interop.Libc.FS_XFLAG_COWEXTSIZE;
        attributes.fsx_cowextsize = bytes;
        Interop.CheckIo(Interop.Libc.Ioctl(file, Interop.Libc.FS_IOC_FSSETXATTR, &attributes), "FS_IOC_FSSETXATTR", path);
    }
}
