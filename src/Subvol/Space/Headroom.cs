using Subvol.Linux;

namespace Subvol.Space;

/// <summary>
/// How many host bytes a guaranteed subvolume may still need: its size less what its image holds
/// unshared. Holes need allocating, and shared extents need copying on their first write.
/// </summary>
internal static class Headroom
{
    public static long Of(string image, long size)
    {
        if (!File.Exists(image))
        {
            return 0;
        }

        long unshared = 0;
        foreach (var extent in ExtentMap.Read(image))
        {
            if ((extent.Flags & (ExtentFlags.Shared | ExtentFlags.DelayedAllocation | ExtentFlags.Unknown)) != 0 || extent.Logical >= size)
            {
                continue;
            }

            unshared += Math.Min(extent.Length, size - extent.Logical);
        }

        return Math.Max(0, size - unshared);
    }

    /// <summary>Bytes the image holds that no other file shares: what a snapshot would turn into headroom.</summary>
    public static long Unshared(string image, long size) => File.Exists(image) ? size - Of(image, size) : 0;
}
