using Subvol.ChangedBlocks;
using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Finds what changed between two snapshot images from their extent maps alone. XFS splits
/// extents wherever sharing changes, so boundaries and the SHARED flag say nothing; what counts
/// is whether each logical byte still maps to the same physical byte. Both maps are walked
/// together in ascending order, so a change is known as soon as the walk has read the extents
/// around it, and the cost follows the extents walked.
/// </summary>
internal static class ExtentDiff
{
    /// <summary>
    /// Ranges of <paramref name="target"/> that differ from <paramref name="baseline"/> (null for a
    /// full stream, where only data is sent and holes stay holes), in ascending order, merged; the
    /// maps may be in any order.
    /// </summary>
    public static List<ChangedRange> Compute(IReadOnlyList<Extent>? baseline, IReadOnlyList<Extent> target, long targetSize) =>
        Changes(baseline?.OrderBy(extent => extent.Logical), target.OrderBy(extent => extent.Logical), 0, targetSize).ToList();

    /// <summary>
    /// The same ranges from <paramref name="start"/> on, from maps in ascending order (as FIEMAP gives them), each
    /// yielded once the walk has passed it: a map read as it is enumerated is read only as far as the changes asked for.
    /// </summary>
    public static IEnumerable<ChangedRange> Changes(IEnumerable<Extent>? baseline, IEnumerable<Extent> target, long start, long targetSize)
    {
        using var targetSegments = new DataSegments(target, targetSize);
        using var baseSegments = new DataSegments(baseline ?? [], targetSize);
        ChangedRange? pending = null;
        foreach (var step in Pieces(baseSegments, targetSegments, start, targetSize))
        {
            if (step is not { } piece)
            {
                // An unchanged piece ends the change before it: it goes out now, not once the next change is found.
                if (pending is { } ended)
                {
                    yield return ended;
                    pending = null;
                }

                continue;
            }

            if (pending is { } last && last.End == piece.Offset && last.IsHole == piece.IsHole)
            {
                pending = last with { Length = last.Length + piece.Length };
                continue;
            }

            if (pending is { } finished)
            {
                yield return finished;
            }

            pending = piece;
        }

        if (pending is { } final)
        {
            yield return final;
        }
    }

    /// <summary>
    /// The walk itself, from <paramref name="start"/> on, one piece between consecutive boundaries of either map at a
    /// time, unmerged: data where the base has none or another physical byte, a hole where the base had data, and null
    /// for a piece that did not change.
    /// </summary>
    public static IEnumerable<ChangedRange?> Pieces(DataSegments baseline, DataSegments target, long start, long size)
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
                yield return unchanged ? null : new ChangedRange(position, next - position, IsHole: false);
            }
            else
            {
                // Neither holds data here when the base has none either.
                yield return inBase is null ? null : new ChangedRange(position, next - position, IsHole: true);
            }

            position = next;
        }
    }
}
