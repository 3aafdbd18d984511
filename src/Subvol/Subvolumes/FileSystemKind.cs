using Subvol.Errors;
using Subvol.Names;

namespace Subvol.Subvolumes;

/// <summary>The filesystems a subvolume can hold, with the limits that differ between them.</summary>
public static class FileSystemKind
{
    public const string Xfs = "xfs";
    public const string Ext4 = "ext4";

    /// <summary>mkfs.xfs refuses data sections under 300 MiB (xfsprogs 5.19 and later).</summary>
    public static long MinimumSize(string fileSystem) => fileSystem == Xfs ? 300L << 20 : 16L << 20;

    public static bool IsSupported(string fileSystem) => fileSystem is Xfs or Ext4;

    public static void Validate(string fileSystem)
    {
        if (!IsSupported(fileSystem))
        {
            throw SubvolException.Invalid($"unsupported filesystem {Printable.Quote(fileSystem)}: choose xfs or ext4");
        }
    }

    /// <summary>
    /// A received subvolume keeps its source's XFS UUID, and Subvol finds filesystems by image, never by
    /// UUID, so a subvolume mounts with nouuid: a replica then mounts beside its source on one host.
    /// </summary>
    public static string? SubvolumeMountOptions(string fileSystem) => fileSystem == Xfs ? "nouuid" : null;

    /// <summary>How a person checks an image of the filesystem without changing it, when the kernel refuses to mount it.</summary>
    public static string CheckCommand(string fileSystem, string image) => fileSystem == Xfs ? $"xfs_repair -n {image}" : $"e2fsck -fn {image}";

    /// <summary>Options that let a read-only snapshot mount beside its origin without replaying its log.</summary>
    public static string SnapshotMountOptions(string fileSystem) => fileSystem == Xfs ? "nouuid,norecovery" : "noload";
}
