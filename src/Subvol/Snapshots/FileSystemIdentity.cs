using Subvol.Linux;

namespace Subvol;

/// <summary>
/// Gives a cloned image a filesystem UUID of its own: XFS refuses to mount two filesystems with
/// the same UUID, and tools that find filesystems by UUID would confuse origin and clone.
/// </summary>
internal static class FileSystemIdentity
{
    public static void Renew(string image, string fileSystem)
    {
        if (fileSystem == FileSystemKind.Ext4)
        {
            // A snapshot of a mounted ext4 still says its journal needs recovery; e2fsck replays it first.
            Tools.CheckExt4(image);
            Tools.NewExt4Uuid(image);
            return;
        }

        try
        {
            Tools.NewXfsUuid(image);
        }
        catch (ExternalToolException)
        {
            // xfs_admin refuses a dirty log; replaying it by a private mount makes the log clean.
            ReplayLog(image);
            Tools.NewXfsUuid(image);
        }
    }

    private static void ReplayLog(string image)
    {
        var target = Directory.CreateTempSubdirectory("subvol-replay-").FullName;
        try
        {
            ImageMounts.Mount(image, target, FileSystemKind.Xfs, readOnly: false, options: "nouuid");
            ImageMounts.Unmount(image);
        }
        finally
        {
            Directory.Delete(target);
        }
    }
}
