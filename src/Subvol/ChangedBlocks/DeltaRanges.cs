using Subvol.Replication;

namespace Subvol.ChangedBlocks;

/// <summary>
/// The ranges of a target image whose content may differ from a base image, from <c>start</c> on, by the rule send
/// uses, and by its very walk (ExtentDiff): a byte is unchanged only when both images map it to the same physical
/// byte, or neither holds data there. Data where the base had a hole, a hole where the base had data, and data moved
/// elsewhere all count. Both maps are walked together, so the cost follows the extents past <c>start</c> and never reads data.
/// </summary>
internal static class DeltaRanges
{
    public static IEnumerable<BlockRange> Between(DataSegments baseline, DataSegments target, long start, long size) =>
        ExtentDiff.Pieces(baseline, target, start, size).Select(piece => new BlockRange(piece.Offset, piece.Length));
}
