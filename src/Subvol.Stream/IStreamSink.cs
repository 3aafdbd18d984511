namespace Subvol.Stream;

/// <summary>Receives a stream's records in order, each already verified by the reader.</summary>
/// <remarks>The reader owns validation and the sink owns what happens to the data, as btrfs-progs' btrfs_send_ops does for send-stream.c.</remarks>
public interface IStreamSink
{
    /// <summary>Called once with the verified header, before any record.</summary>
    void Begin(StreamHeader header);

    /// <summary>Raw bytes at <paramref name="offset"/>; the span is only valid during the call.</summary>
    void Data(long offset, ReadOnlySpan<byte> data);

    /// <summary>A range that reads as zeros and holds no data.</summary>
    void Hole(long offset, long length);

    /// <summary>The image takes a new size; later records are bounded by it.</summary>
    void SizeChange(long newSize);

    /// <summary>Called once, only after the end record, its counts and the whole-stream digest verified and the input reached its end.</summary>
    void End(StreamSummary summary);
}
