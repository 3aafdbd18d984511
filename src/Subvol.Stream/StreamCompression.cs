namespace Subvol.Stream;

/// <summary>How a stream's data records may be compressed.</summary>
public enum StreamCompression
{
    /// <summary>Every data record is stored raw.</summary>
    None,

    /// <summary>Each data record is a zstd frame when that is smaller than its raw bytes, and raw otherwise.</summary>
    Zstd,
}
