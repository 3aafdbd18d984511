namespace Subvol.ChangedBlocks;

/// <summary>Joins ranges that touch into one, so a reader gets as few tuples as the map allows.</summary>
internal static class RangeCoalescing
{
    /// <param name="ranges">Ascending and not overlapping.</param>
    public static IEnumerable<BlockRange> Coalesce(IEnumerable<BlockRange> ranges)
    {
        BlockRange? pending = null;
        foreach (var range in ranges)
        {
            if (pending is { } open && open.End == range.Offset)
            {
                pending = open with { Length = range.End - open.Offset };
                continue;
            }

            if (pending is { } done)
            {
                yield return done;
            }

            pending = range;
        }

        if (pending is { } last)
        {
            yield return last;
        }
    }
}
