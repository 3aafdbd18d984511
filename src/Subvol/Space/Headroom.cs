using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Space;

/// <summary>
/// How many host bytes a guaranteed subvolume may still need: its size less what its image holds
/// unshared. Holes need allocating, and shared extents need copying on their first write.
/// </summary>
internal static class Headroom
{
    public static long Of(Pools.PoolFiles files, string image, long size)
    {
        if (!files.Exists(image))
        {
            return 0;
        }

        long unshared = 0;
        foreach (var extent in files.ReadExtents(image))
        {
            if ((extent.Flags & (ExtentFlags.Shared | ExtentFlags.DelayedAllocation | ExtentFlags.Unknown)) != 0 || extent.Logical >= size)
            {
                continue;
            }

            unshared += Math.Min(extent.Length, size - extent.Logical);
        }

        return Math.Max(0, size - unshared);
    }

    /// <summary>
    /// Written bytes the image holds unshared: a snapshot shares exactly these, so they are what it adds
    /// to the headroom. Preallocated (unwritten) extents are not cloned by a reflink and stay the image's own.
    /// </summary>
    public static long SharedBySnapshot(Pools.PoolFiles files, string image, long size)
    {
        if (!files.Exists(image))
        {
            return 0;
        }

        long written = 0;
        foreach (var extent in files.ReadExtents(image))
        {
            if ((extent.Flags & (ExtentFlags.Shared | ExtentFlags.Unwritten)) != 0 || extent.Logical >= size)
            {
                continue;
            }

            written += Math.Min(extent.Length, size - extent.Logical);
        }

        return written;
    }
}
