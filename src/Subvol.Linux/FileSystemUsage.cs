using System.Globalization;

namespace Subvol.Linux;

/// <summary>A filesystem's size and free space, as statfs(2) reports them.</summary>
public readonly record struct FileSystemUsage(long TotalBytes, long FreeBytes, long AvailableBytes, long BlockSize, long TypeMagic)
{
    /// <summary>"xfs", "btrfs", "ext4", "tmpfs", or the magic number in hexadecimal.</summary>
    public string TypeName => TypeMagic switch
    {
        Interop.Libc.XFS_SUPER_MAGIC => "xfs",
        Interop.Libc.BTRFS_SUPER_MAGIC => "btrfs",
        Interop.Libc.EXT4_SUPER_MAGIC => "ext4",
        Interop.Libc.TMPFS_MAGIC => "tmpfs",
        _ => "0x" + TypeMagic.ToString("x", CultureInfo.InvariantCulture),
    };
}
