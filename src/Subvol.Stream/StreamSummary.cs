namespace Subvol.Stream;

/// <summary>What a stream's end record counts: the writer returns it and the reader verifies it.</summary>
/// <param name="DataRecords">Data records in the stream.</param>
/// <param name="HoleRecords">Hole records in the stream.</param>
/// <param name="SizeChanges">Size-change records in the stream.</param>
/// <param name="DataBytes">Raw (uncompressed) bytes carried by the data records.</param>
/// <param name="Digest">SHA-256 of every stream byte before the digest itself.</param>
public sealed record StreamSummary(long DataRecords, long HoleRecords, long SizeChanges, long DataBytes, byte[] Digest)
{
    /// <summary>The digest in lowercase hexadecimal.</summary>
    public string DigestHex => Convert.ToHexStringLower(Digest);

    /// <summary>Compares the digest by content, since two summaries of one stream hold different arrays.</summary>
    public bool Equals(StreamSummary? other) =>
        other is not null
        && DataRecords == other.DataRecords
        && HoleRecords == other.HoleRecords
        && SizeChanges == other.SizeChanges
        && DataBytes == other.DataBytes
        && Digest.AsSpan().SequenceEqual(other.Digest);

    public override int GetHashCode() => HashCode.Combine(DataRecords, HoleRecords, SizeChanges, DataBytes, DigestHex);
}
