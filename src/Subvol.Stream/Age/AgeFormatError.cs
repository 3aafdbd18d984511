namespace Subvol.Stream.Age;

/// <summary>Why an age file was refused.</summary>
public enum AgeFormatError
{
    /// <summary>The header is not age v1's grammar.</summary>
    MalformedHeader,

    /// <summary>None of the identities given can unwrap the file key: it was encrypted to other recipients.</summary>
    NoMatchingIdentity,

    /// <summary>The header's MAC does not match: the header was changed after it was written.</summary>
    HeaderMacMismatch,

    /// <summary>A chunk of the payload failed authentication: changed, damaged or cut inside a chunk.</summary>
    ChunkAuthenticationFailed,

    /// <summary>The payload ends without a chunk marked last: the file was cut short at a chunk boundary.</summary>
    Truncated,

    /// <summary>Bytes follow the chunk marked last.</summary>
    TrailingData,

    /// <summary>A kind of recipient Subvol does not read (a passphrase, for one).</summary>
    Unsupported,
}
