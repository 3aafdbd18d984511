using System.Text;
using Microsoft.Win32.SafeHandles;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Subvolumes;

namespace Subvol.Pools;

/// <summary>
/// A pool image that pool create made and did not finish, as a killed create leaves it. The image is marked from the
/// moment the file exists until the pool's database is whole, so the same create, run again, takes it away and starts
/// over; a file create did not make carries no mark and is never taken for one.
/// </summary>
internal static class UnfinishedPoolImage
{
    private const string AttributeName = "trusted.subvol.unfinished-pool";

    private static readonly TimeSpan UnmountPatience = TimeSpan.FromSeconds(5);

    /// <summary>Marks the new image as the unfinished image of the pool at <paramref name="root"/>.</summary>
    public static void Mark(SafeFileHandle file, string image, string root)
    {
        try
        {
            ExtendedAttribute.Set(file, AttributeName, Encoding.UTF8.GetBytes(root), image);
        }
        catch (SystemCallException exception) when (exception.Errno == Errno.EOPNOTSUPP)
        {
            // A host filesystem without trusted attributes only loses the clean-up of an interrupted create.
        }
    }

    /// <summary>The pool's database is whole: from here the pool is found and repaired as a pool.</summary>
    public static void Finish(string image) => ExtendedAttribute.Remove(image, AttributeName);

    /// <summary>
    /// Takes away what a killed create of this very pool left, its mount and its image. Only an
    /// image marked for <paramref name="layout"/>'s root, of a pool the machine does not list, is taken, and only while
    /// it is mounted nowhere or at that root without a sound database: nothing in it was ever a pool anyone used.
    /// </summary>
    public static void Reclaim(PoolLayout layout, string image, PoolRegistry registry)
    {
        if (!File.Exists(image) || ExtendedAttribute.Get(image, AttributeName) is not { } marked
            || Encoding.UTF8.GetString(marked) != layout.Root || registry.Find(layout.Root) is not null)
        {
            return;
        }

        var mounts = ImageMounts.Find(image);
        if (mounts.Any(mount => mount.Target != layout.Root) || mounts.Count > 0 && File.Exists(layout.Database) && PoolDatabase.Damage(layout.Database) is null)
        {
            return;
        }

        foreach (var mount in mounts)
        {
            Mounts.UnmountPatiently(mount.Target, UnmountPatience);
        }

        File.Delete(image);
    }
}
