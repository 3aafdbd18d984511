
namespace Subvol.Replication;

/// <summary>A byte range of a snapshot image that a stream must carry: new data, or a range that became a hole.</summary>
internal readonly record struct ChangedRange(long Offset, long Length, bool IsHole)
{
    public long End => Offset + Length;
}
