using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Finds what changed between two snapshot images from their extent maps alone. XFS splits
/// extents wherever sharing changes, so boundaries and the SHARED flag say nothing; what counts
/// is whether each logical byte still maps to the same physical byte. Both maps are walked
/// together in ascending order, so the cost follows the extents walked; the changed-block delta
/// of the CSI driver is this same walk.
/// </summary>
internal static class ExtentDiff
{
    /// <summary>
    /// Ranges of <paramref name="target"/> that differ from <paramref name="baseline"/> (null for a
    /// full stream, where only data is sent and holes stay holes), in ascending order, merged; the
    /// maps may be in any order.
    /// </summary>
    public static List<ChangedRange> Compute(IReadOnlyList<Extent>? baseline, IReadOnlyList<Extent> target, long targetSize)
    {
        using var targetSegments = new DataSegments(target.OrderBy(extent => extent.Logical), targetSize);
        using var baseSegments = new DataSegments((baseline ?? []).OrderBy(extent => extent.Logical), targetSize);
        var changes = new List<ChangedRange>();
        foreach (var piece in Pieces(baseSegments, targetSegments, 0, targetSize))
        {
            if (changes.Count > 0 && changes[^1] is var last && last.End == piece.Offset && last.IsHole == piece.IsHole)
            {
                changes[^1] = last with { Length = last.Length + piece.Length };
                continue;
            }

            changes.Add(piece);
        }

        return changes;
    }

    /// <summary>
    /// The walk itself, from <paramref name="start"/> on, one piece between consecutive boundaries of either map at a
    /// time, unmerged: data where the base has none or another physical byte, and a hole where the base had data. It
    /// reads each map only as far as it has walked, so the changed-block delta streams from it.
    /// </summary>
    public static IEnumerable<ChangedRange> Pieces(DataSegments baseline, DataSegments target, long start, long size)
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

            if (inTarget is { } written)
            {
                // Same physical byte for the same logical byte: shared with the base, unchanged.
                var unchanged = inBase is { } shared && written.Comparable && shared.Comparable && written.PhysicalAt(position) == shared.PhysicalAt(position);
                if (!unchanged)
                {
                    yield return new ChangedRange(position, next - position, IsHole: false);
                }
            }
            else if (inBase is not null)
            {
                yield return new ChangedRange(position, next - position, IsHole: true);
            }

            position = next;
        }
    }
}
