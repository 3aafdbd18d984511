using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Walks an image's extent map, in ascending order, as the segments that hold data: unwritten extents read as
/// zeros and are left out, as for send (ExtentDiff), every segment is clipped to the size that counts, and a
/// segment never overlaps the one before it. Extents are read only as the walk reaches them.
/// </summary>
internal sealed class DataSegments : IDisposable
{
    private readonly IEnumerator<Extent> _extents;
    private readonly long _size;
    private long _reached;

    public DataSegments(IEnumerable<Extent> extents, long size)
    {
        _extents = extents.GetEnumerator();
        _size = size;
        MoveNext();
    }

    /// <summary>The segment the walk is at; null past the last one.</summary>
    public DataSegment? Current { get; private set; }

    public void MoveNext()
    {
        while (_extents.MoveNext())
        {
            var extent = _extents.Current;
            if ((extent.Flags & ExtentFlags.Unwritten) != 0 || extent.Length <= 0 || extent.Logical >= _size)
            {
                continue;
            }

            var start = Math.Max(extent.Logical, _reached);
            var end = Math.Min(extent.Logical + extent.Length, _size);
            if (start >= end)
            {
                continue;
            }

            var comparable = (extent.Flags & (ExtentFlags.Unknown | ExtentFlags.DelayedAllocation | ExtentFlags.Encoded)) == 0;
            Current = new DataSegment(start, end, extent.Physical + (start - extent.Logical), comparable);
            _reached = end;
            return;
        }

        Current = null;
    }

    /// <summary>Moves past every segment that ends at or before <paramref name="position"/>.</summary>
    public void SkipTo(long position)
    {
        while (Current is { } segment && segment.End <= position)
        {
            MoveNext();
        }
    }

    public void Dispose() => _extents.Dispose();
}
