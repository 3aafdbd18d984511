using Subvol.Replication;

namespace Subvol.ChangedBlocks;

/// <summary>The ranges of one image that hold written data, from <c>start</c> on; holes and unwritten extents are not allocated.</summary>
internal static class AllocatedRanges
{
    public static IEnumerable<BlockRange> From(DataSegments segments, long start)
    {
        for (segments.SkipTo(start); segments.Current is { } segment; segments.MoveNext())
        {
            var from = Math.Max(segment.Start, start);
            yield return new BlockRange(from, segment.End - from);
        }
    }
}
