namespace Subvol.ChangedBlocks;

/// <summary>
/// The ranges of a target image whose content may differ from a base image, from <c>start</c> on, by the rule send
/// uses (ExtentDiff): a byte is unchanged only when both images map it to the same physical byte, or neither holds
/// data there. Data where the base had a hole, a hole where the base had data, and data moved elsewhere all count.
/// Both maps are walked together, so the cost follows the extents past <c>start</c> and never reads data.
/// </summary>
internal static class DeltaRanges
{
    public static IEnumerable<BlockRange> Between(DataSegments baseline, DataSegments target, long start, long size)
    {
        var position = start;
        while (position < size)
        {
            target.SkipTo(position);
            baseline.SkipTo(position);
            if (target.Current is null && baseline.Current is null)
            {
                yield break;
            }

            var inTarget = target.Current is { } data && data.Start <= position ? data : (DataSegment?)null;
            var inBase = baseline.Current is { } old && old.Start <= position ? old : (DataSegment?)null;

            // The next point where either map changes what it says.
            var next = size;
            if (target.Current is { } nextData)
            {
                next = Math.Min(next, inTarget is null ? nextData.Start : nextData.End);
            }

            if (baseline.Current is { } nextOld)
            {
                next = Math.Min(next, inBase is null ? nextOld.Start : nextOld.End);
            }

            var changed = inTarget is { } written
                ? !(inBase is { } shared && written.Comparable && shared.Comparable && written.PhysicalAt(position) == shared.PhysicalAt(position))
                : inBase is not null;
            if (changed)
            {
                yield return new BlockRange(position, next - position);
            }

            position = next;
        }
    }
}
