namespace Subvol.ChangedBlocks;

/// <summary>A byte range of a snapshot image that changed-block tracking reports: data that is there, or data that changed.</summary>
public readonly record struct BlockRange(long Offset, long Length)
{
    public long End => Offset + Length;
}
