using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Space;

/// <summary>
/// Makes a thin image give back what reads as zeros: mkfs.xfs zeroes the log (64 MiB or more) with
/// allocated-but-unwritten extents, and a hole reads as zeros too.
/// </summary>
internal static class Sparseness
{
    private const int Block = 4096;

    public static void PunchUnwritten(Pools.PoolFiles files, string image)
    {
        using var file = files.OpenFile(image, FileAccess.Write);
        foreach (var extent in ExtentMap.Read(file, image))
        {
            if ((extent.Flags & ExtentFlags.Unwritten) != 0)
            {
                FileSpace.PunchHole(file, image, extent.Logical, extent.Length);
            }
        }
    }
}
