namespace Subvol.Stream;

/// <summary>Why a stream was refused.</summary>
public enum StreamFormatError
{
    /// <summary>A field holds a value the format does not allow (reserved bits, unknown kinds, wrong counts, bad compressed data).</summary>
    Corrupt,

    /// <summary>The input does not start with the stream magic.</summary>
    NotAStream,

    /// <summary>The stream's version is one this reader does not know.</summary>
    UnsupportedVersion,

    /// <summary>The input ended before the end record did.</summary>
    Truncated,

    /// <summary>A checksum in the chain, or the whole-stream digest, does not match.</summary>
    ChecksumMismatch,

    /// <summary>A size, offset or length lies outside what the header or the format allows.</summary>
    OutOfBounds,

    /// <summary>A record starts before the end of the previous one, or before the resume offset.</summary>
    OutOfOrder,

    /// <summary>A subvolume or snapshot name is empty, not UTF-8, or holds a character a name may not.</summary>
    InvalidName,

    /// <summary>Bytes follow the end record.</summary>
    TrailingData,
}
