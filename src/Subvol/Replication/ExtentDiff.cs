using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Finds what changed between two snapshot images from their extent maps alone. XFS splits
/// extents wherever sharing changes, so boundaries and the SHARED flag say nothing; what counts
/// is whether each logical byte still maps to the same physical byte.
/// </summary>
internal static class ExtentDiff
{
    /// <summary>
    /// Ranges of <paramref name="target"/> that differ from <paramref name="baseline"/> (null for a
    /// full stream, where only data is sent and holes stay holes), in ascending order, merged.
    /// </summary>
    public static List<ChangedRange> Compute(IReadOnlyList<Extent>? baseline, IReadOnlyList<Extent> target, long targetSize)
    {
        var targetSegments = Segments(target, targetSize);
        var baseSegments = baseline is null ? [] : Segments(baseline, targetSize);
        var boundaries = new SortedSet<long> { 0, targetSize };
        foreach (var segment in targetSegments.Concat(baseSegments))
        {
            boundaries.Add(segment.Start);
            boundaries.Add(segment.End);
        }

        var changes = new List<ChangedRange>();
        var points = boundaries.Where(point => point <= targetSize).ToArray();
        int targetIndex = 0, baseIndex = 0;
        for (var i = 0; i + 1 < points.Length; i++)
        {
            long start = points[i], end = points[i + 1];
            var inTarget = Find(targetSegments, ref targetIndex, start);
            var inBase = Find(baseSegments, ref baseIndex, start);
            if (inTarget is { } data)
            {
                // Same physical byte for the same logical byte: shared with the base, unchanged.
                var unchanged = inBase is { } old && data.Comparable && old.Comparable && data.PhysicalAt(start) == old.PhysicalAt(start);
                if (!unchanged)
                {
                    Append(changes, new ChangedRange(start, end - start, IsHole: false));
                }
            }
            else if (inBase is not null)
            {
                Append(changes, new ChangedRange(start, end - start, IsHole: true));
            }
        }

        return changes;
    }

    private static void Append(List<ChangedRange> changes, ChangedRange range)
    {
        if (changes.Count > 0 && changes[^1] is var last && last.End == range.Offset && last.IsHole == range.IsHole)
        {
            changes[^1] = last with { Length = last.Length + range.Length };
            return;
        }

        changes.Add(range);
    }

    private static Segment? Find(List<Segment> segments, ref int index, long point)
    {
        while (index < segments.Count && segments[index].End <= point)
        {
            index++;
        }

        return index < segments.Count && segments[index].Start <= point ? segments[index] : null;
    }

    /// <summary>Data extents clipped to the image size; unwritten extents read as zeros, so they count as holes.</summary>
    private static List<Segment> Segments(IReadOnlyList<Extent> extents, long size)
    {
        var segments = new List<Segment>(extents.Count);
        foreach (var extent in extents.OrderBy(extent => extent.Logical))
        {
            if ((extent.Flags & ExtentFlags.Unwritten) != 0 || extent.Length <= 0 || extent.Logical >= size)
            {
                continue;
            }

            // Delayed, unknown or encoded extents have no physical address to compare, so they always count as changed.
            var comparable = (extent.Flags & (ExtentFlags.Unknown | ExtentFlags.DelayedAllocation | ExtentFlags.Encoded)) == 0;
            var start = extent.Logical;
            var end = Math.Min(extent.Logical + extent.Length, size);
            if (segments.Count > 0 && segments[^1].End > start)
            {
                start = segments[^1].End;
                if (start >= end)
                {
                    continue;
                }
            }

            segments.Add(new Segment(start, end, extent.Physical + (start - extent.Logical), comparable));
        }

        return segments;
    }

    private readonly record struct Segment(long Start, long End, long Physical, bool Comparable)
    {
        public long PhysicalAt(long logical) => Physical + (logical - Start);
    }
}
