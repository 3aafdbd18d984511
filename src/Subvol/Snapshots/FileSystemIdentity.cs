using Subvol.Errors;
using Subvol.Linux;
using Subvol.Pools;
using Subvol.Subvolumes;

namespace Subvol.Snapshots;

/// <summary>
/// Gives a cloned image a filesystem UUID of its own: XFS refuses to mount two filesystems with
/// the same UUID, and tools that find filesystems by UUID would confuse origin and clone.
/// </summary>
internal static class FileSystemIdentity
{
    /// <remarks>The tools reach the image through a descriptor opened beneath the pool's root, never by its name.</remarks>
    public static void Renew(Pools.PoolFiles files, string image, string fileSystem)
    {
        if (fileSystem == FileSystemKind.Ext4)
        {
            // A snapshot of a mounted ext4 still says its journal needs recovery; e2fsck replays it first.
            files.RunOn(image, target =>
            {
                Tools.CheckExt4(target);
                Tools.NewExt4Uuid(target);
            });
            return;
        }

        string before = "";
        var changed = false;
        files.RunOn(image, target =>
        {
            before = XfsUuid(target);
            Tools.NewXfsUuid(target);
            changed = XfsUuid(target) != before;
        });
        if (changed)
        {
            return;
        }

        // xfs_admin refuses a dirty log (a frozen filesystem's snapshot has one) yet exits 0;
        // replaying the log by a private mount makes it clean.
        ReplayLog(files, image);
        files.RunOn(image, target =>
        {
            Tools.NewXfsUuid(target);
            changed = XfsUuid(target) != before;
        });
        if (!changed)
        {
            throw new SubvolException(SubvolErrorCode.Inconsistent, $"could not give {image} a new filesystem UUID; 'xfs_admin -U generate {image}' says why");
        }
    }

    private static string XfsUuid(string image)
    {
        var output = Tools.Run("xfs_admin", "-u", image).StandardOutput;
        var at = output.IndexOf('=');
        return at < 0 ? output.Trim() : output[(at + 1)..].Trim();
    }

    private static void ReplayLog(Pools.PoolFiles files, string image)
    {
        var target = Directory.CreateTempSubdirectory("subvol-replay-").FullName;
        try
        {
            ImageMounts.Mount(files, image, target, FileSystemKind.Xfs, readOnly: false, options: "nouuid");
            ImageMounts.Unmount(image);
        }
        finally
        {
            Directory.Delete(target);
        }
    }
}
