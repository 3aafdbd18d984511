using Subvol.Linux;

namespace Subvol.Space;

/// <summary>
/// Makes a thin image give back what reads as zeros: mkfs.xfs zeroes the log (64 MiB or more) with
/// allocated-but-unwritten extents, and a hole reads as zeros too.
/// </summary>
internal static class Sparseness
{
    private const int Block = 4096;

    public static void PunchUnwritten(string image)
    {
        foreach (var extent in ExtentMap.Read(image))
        {
            if ((extent.Flags & ExtentFlags.Unwritten) != 0)
            {
                FileSpace.PunchHole(image, extent.Logical, extent.Length);
            }
        }
    }
}
