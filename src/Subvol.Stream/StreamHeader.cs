namespace Subvol.Stream;

/// <summary>What a stream says about itself before its first record.</summary>
/// <param name="Version">The format version; the writer writes <see cref="StreamHeader.CurrentVersion"/> only.</param>
/// <param name="ImageSize">The image size in bytes that records are bounded by until a size change.</param>
/// <param name="BlockSize">The image's block size: a power of two from 512 to 65536.</param>
/// <param name="TargetGuid">The snapshot this stream recreates.</param>
/// <param name="BaseGuid">The snapshot the receiver must already hold, or null for a full stream.</param>
/// <param name="FileSystemType">"xfs" or "ext4": the filesystem inside the image.</param>
/// <param name="SubvolumeName">The sender's subvolume name (advisory; the receiver chooses its own).</param>
/// <param name="SnapshotName">The sender's snapshot name.</param>
/// <param name="CreatedAt">When the target snapshot was taken; stored in microseconds, UTC.</param>
/// <param name="ResumeOffset">0 for a fresh stream; a resumed stream carries only records at or beyond it.</param>
/// <param name="Compression">Whether data records may be zstd frames.</param>
public sealed record StreamHeader(
    int Version,
    long ImageSize,
    int BlockSize,
    Guid TargetGuid,
    Guid? BaseGuid,
    string FileSystemType,
    string SubvolumeName,
    string SnapshotName,
    DateTimeOffset CreatedAt,
    long ResumeOffset,
    StreamCompression Compression)
{
    /// <summary>The version this library writes.</summary>
    public const int CurrentVersion = StreamConstants.CurrentVersion;

    /// <summary>The filesystem types a version 1 stream can name.</summary>
    public static IReadOnlyList<string> FileSystemTypes { get; } = ["xfs", "ext4"];

    /// <summary>True when the receiver must hold <see cref="BaseGuid"/> first.</summary>
    public bool IsIncremental => BaseGuid is not null;

    /// <summary>True when the stream continues an interrupted receive.</summary>
    public bool IsResumed => ResumeOffset != 0;
}
