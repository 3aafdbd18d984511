namespace Subvol.Linux;

/// <summary>A byte range of a file.</summary>
public readonly record struct FileRange(long Offset, long Length)
{
    public long End => Offset + Length;
}
