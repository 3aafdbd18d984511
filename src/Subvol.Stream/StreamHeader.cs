namespace Subvol.Stream;

/// <summary>What a stream says about itself before its first record.</summary>
/// <param name="Version">
/// The format version: <see cref="StreamHeader.CurrentVersion"/> (1) without a wrapped key, <see cref="StreamHeader.EncryptedVersion"/> (2) with one.
/// </param>
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
    /// <summary>The version of a stream that carries no wrapped key.</summary>
    public const int CurrentVersion = StreamConstants.CurrentVersion;

    /// <summary>The version of a stream that carries a wrapped key.</summary>
    public const int EncryptedVersion = StreamConstants.EncryptedVersion;

    /// <summary>The largest wrapped key a header may carry, in bytes.</summary>
    public const int MaxWrappedKeyBytes = StreamConstants.V2.MaxWrappedKeyBytes;

    /// <summary>
    /// The sender's subvolume key, wrapped, as opaque bytes (1 to <see cref="MaxWrappedKeyBytes"/>); present exactly in version 2.
    /// The image blocks of such a stream are ciphertext, and the receiver keeps this blob so that the replica opens with the same passphrase or key file.
    /// </summary>
    public byte[]? WrappedKey { get; init; }

    /// <summary>True when the stream carries a wrapped key, so its image blocks are ciphertext.</summary>
    public bool IsEncrypted => WrappedKey is not null;

    /// <summary>The filesystem types a version 1 stream can name.</summary>
    public static IReadOnlyList<string> FileSystemTypes { get; } = ["xfs", "ext4"];

    /// <summary>True when the receiver must hold <see cref="BaseGuid"/> first.</summary>
    public bool IsIncremental => BaseGuid is not null;

    /// <summary>True when the stream continues an interrupted receive.</summary>
    public bool IsResumed => ResumeOffset != 0;

    /// <summary>Headers are equal when every field is, the wrapped key compared byte by byte.</summary>
    public bool Equals(StreamHeader? other) =>
        other is not null
        && Version == other.Version
        && ImageSize == other.ImageSize
        && BlockSize == other.BlockSize
        && TargetGuid == other.TargetGuid
        && BaseGuid == other.BaseGuid
        && FileSystemType == other.FileSystemType
        && SubvolumeName == other.SubvolumeName
        && SnapshotName == other.SnapshotName
        && CreatedAt == other.CreatedAt
        && ResumeOffset == other.ResumeOffset
        && Compression == other.Compression
        && (WrappedKey is null ? other.WrappedKey is null : other.WrappedKey is not null && WrappedKey.AsSpan().SequenceEqual(other.WrappedKey));

    public override int GetHashCode() =>
        HashCode.Combine(HashCode.Combine(Version, ImageSize, BlockSize, TargetGuid, BaseGuid), FileSystemType, SubvolumeName, SnapshotName, CreatedAt, ResumeOffset, Compression, WrappedKey?.Length);
}
