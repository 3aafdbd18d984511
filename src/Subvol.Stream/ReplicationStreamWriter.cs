using System.Buffers.Binary;
using System.IO.Hashing;
using ZstdSharp;
using static Subvol.Stream.StreamConstants.V1;

namespace Subvol.Stream;

/// <summary>Writes a version 1 replication stream: the header at construction, then records in ascending offset order, then the end record.</summary>
/// <remarks>The writer refuses anything the reader would refuse, so a stream it finishes always reads back. It never closes <c>output</c>.</remarks>
public sealed class ReplicationStreamWriter : IDisposable
{
    private readonly System.IO.Stream output;
    private readonly StreamDigest digest = new(StreamDigest.WriterBatches);
    private readonly Compressor? compressor;
    private readonly byte[] record;
    private long chain;
    private long currentSize;
    private long lastEnd;
    private long dataRecords;
    private long holeRecords;
    private long sizeChanges;
    private long dataBytes;
    private State state;

    public ReplicationStreamWriter(System.IO.Stream output, StreamHeader header)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(header);
        var bytes = HeaderCodec.Encode(header);
        this.output = output;
        Header = HeaderCodec.Normalize(header);
        currentSize = header.ImageSize;
        if (header.Compression == StreamCompression.Zstd)
        {
            compressor = new Compressor(ZstdLevel);
        }

        record = new byte[RecordHeadLength + MaxDataPayload + ChecksumLength];
        chain = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(bytes.Length - ChecksumLength));
        Emit(bytes);
    }

    /// <summary>The header as a reader will see it (creation time in whole microseconds, UTC).</summary>
    public StreamHeader Header { get; }

    /// <summary>Bytes written to the output so far, the header included.</summary>
    public long BytesWritten { get; private set; }

    /// <summary>The image size that bounds the next record: the header's, or the latest size change's.</summary>
    public long CurrentSize => currentSize;

    /// <summary>Writes <paramref name="data"/> at <paramref name="offset"/>, as as many records of at most 1 MiB as it needs.</summary>
    /// <remarks>In a resumed stream, bytes below the resume offset are dropped here, so a sender can replay its ranges unchanged.</remarks>
    public void WriteData(long offset, ReadOnlySpan<byte> data)
    {
        CheckRange(offset, data.Length, nameof(offset));
        if (data.IsEmpty)
        {
            return;
        }

        lastEnd = offset + data.Length;
        var skip = Math.Max(0, Math.Min(data.Length, Header.ResumeOffset - offset));
        for (var done = (int)skip; done < data.Length;)
        {
            var chunk = data.Slice(done, Math.Min(MaxDataPayload, data.Length - done));
            WriteDataRecord(offset + done, chunk);
            done += chunk.Length;
        }
    }

    /// <summary>Declares <paramref name="length"/> bytes at <paramref name="offset"/> a hole: no data, reads as zeros.</summary>
    public void WriteHole(long offset, long length)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(length);
        CheckRange(offset, length, nameof(offset));
        lastEnd = offset + length;
        var start = Math.Max(offset, Header.ResumeOffset);
        if (start < lastEnd)
        {
            WriteRecord(RecordKind.Hole, 0, start, lastEnd - start, payloadLength: 0);
            holeRecords++;
        }
    }

    /// <summary>Gives the image a new size; no earlier record may reach beyond it.</summary>
    public void WriteSizeChange(long newSize)
    {
        CheckWritable();
        if (newSize < 0 || StreamRules.CheckImageSize((ulong)newSize, Header.BlockSize) is not null)
        {
            throw new ArgumentOutOfRangeException(nameof(newSize), newSize, newSize < 0 ? "the size is negative" : StreamRules.CheckImageSize((ulong)newSize, Header.BlockSize));
        }

        if (newSize == currentSize)
        {
            throw new ArgumentException($"the image is already {newSize} bytes", nameof(newSize));
        }

        var floor = Math.Max(lastEnd, Header.ResumeOffset);
        if (newSize < floor)
        {
            throw new ArgumentOutOfRangeException(nameof(newSize), newSize, $"the stream already reached byte {floor}");
        }

        WriteRecord(RecordKind.SizeChange, 0, newSize, 0, payloadLength: 0);
        currentSize = newSize;
        sizeChanges++;
    }

    /// <summary>Writes the end record, flushes the output and returns what the end record says.</summary>
    public StreamSummary Finish()
    {
        CheckWritable();
        var head = record.AsSpan(0, RecordHeadLength);
        WriteHead(head, RecordKind.End, 0, EndPayloadLength, 0, 0);
        var payload = record.AsSpan(RecordHeadLength, EndPayloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(payload, dataRecords);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], holeRecords);
        BinaryPrimitives.WriteInt64LittleEndian(payload[16..], sizeChanges);
        BinaryPrimitives.WriteInt64LittleEndian(payload[24..], dataBytes);
        digest.Append(record.AsSpan(0, RecordHeadLength + EndDigestOffset));
        var hash = digest.Finish();
        hash.CopyTo(payload[EndDigestOffset..]);
        Seal(RecordHeadLength + EndPayloadLength, appendToDigest: false);
        output.Flush();
        state = State.Finished;
        return new StreamSummary(dataRecords, holeRecords, sizeChanges, dataBytes, hash);
    }

    /// <summary>Releases the hashes and the compressor; an unfinished stream stays without its end record, which every reader refuses.</summary>
    public void Dispose()
    {
        if (state != State.Disposed)
        {
            state = State.Disposed;
            digest.Dispose();
            compressor?.Dispose();
        }
    }

    private void WriteDataRecord(long offset, ReadOnlySpan<byte> chunk)
    {
        var payload = record.AsSpan(RecordHeadLength, chunk.Length);
        byte flags = 0;
        var stored = chunk.Length;

        // Incompressible data stays raw: a frame is only kept when it is strictly smaller.
        if (compressor is not null && chunk.Length > 1 && compressor.TryWrap(chunk, payload[..(chunk.Length - 1)], out var written))
        {
            flags = RecordFlagZstd;
            stored = written;
        }
        else
        {
            chunk.CopyTo(payload);
        }

        WriteRecord(RecordKind.Data, flags, offset, chunk.Length, stored);
        dataRecords++;
        dataBytes += chunk.Length;
    }

    /// <summary>Writes a record whose payload is already in place after the head.</summary>
    private void WriteRecord(RecordKind kind, byte flags, long first, long second, int payloadLength)
    {
        WriteHead(record, kind, flags, payloadLength, first, second);
        Seal(RecordHeadLength + payloadLength, appendToDigest: true);
    }

    private static void WriteHead(Span<byte> head, RecordKind kind, byte flags, int payloadLength, long first, long second)
    {
        head[RecordKindOffset] = (byte)kind;
        head[RecordFlagsOffset] = flags;
        BinaryPrimitives.WriteUInt16LittleEndian(head[RecordReservedOffset..], 0);
        BinaryPrimitives.WriteUInt32LittleEndian(head[RecordPayloadLengthOffset..], (uint)payloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(head[RecordFirstOffset..], first);
        BinaryPrimitives.WriteInt64LittleEndian(head[RecordSecondOffset..], second);
    }

    /// <summary>Appends the chained checksum to the record in the buffer and writes it out.</summary>
    private void Seal(int length, bool appendToDigest)
    {
        var checksum = XxHash3.HashToUInt64(record.AsSpan(0, length), chain);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(length), checksum);
        chain = (long)checksum;
        if (appendToDigest)
        {
            digest.Append(record.AsSpan(0, length + ChecksumLength));
        }

        Write(record.AsSpan(0, length + ChecksumLength));
    }

    private void Emit(byte[] bytes)
    {
        digest.Append(bytes);
        Write(bytes);
    }

    private void Write(ReadOnlySpan<byte> bytes)
    {
        // A failed write leaves a partial record behind, so nothing more may follow it.
        state = State.Failed;
        output.Write(bytes);
        BytesWritten += bytes.Length;
        state = State.Open;
    }

    private void CheckRange(long offset, long length, string parameter)
    {
        CheckWritable();
        ArgumentOutOfRangeException.ThrowIfNegative(offset, parameter);
        if (offset > currentSize || length > currentSize - offset)
        {
            throw new ArgumentOutOfRangeException(parameter, offset, $"{length} bytes at {offset} reach beyond the image size {currentSize}");
        }

        if (offset < lastEnd)
        {
            throw new ArgumentOutOfRangeException(parameter, offset, $"records must ascend: the previous one ended at {lastEnd}");
        }
    }

    private void CheckWritable()
    {
        switch (state)
        {
            case State.Finished:
                throw new InvalidOperationException("the stream is finished");
            case State.Failed:
                throw new InvalidOperationException("an earlier write to the output failed, so the stream cannot continue");
            case State.Disposed:
                throw new ObjectDisposedException(nameof(ReplicationStreamWriter));
        }
    }

    private enum State
    {
        Open,
        Failed,
        Finished,
        Disposed,
    }
}
