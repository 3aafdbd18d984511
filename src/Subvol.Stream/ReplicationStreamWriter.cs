using System.Buffers.Binary;
using System.IO.Hashing;
using ZstdSharp;
using static Subvol.Stream.StreamConstants.V1;

namespace Subvol.Stream;

/// <summary>Writes a version 1 replication stream: the header at construction, then records in ascending offset order, then the end record.</summary>
/// <remarks>
/// The writer refuses anything the reader would refuse, so a stream it finishes always reads back. It never closes
/// <c>output</c>. Records are framed in place in batches that go to the output whole and then to the digest's thread,
/// so that a record's bytes are not copied on their way out; <see cref="Flush"/> sends what is framed so far.
/// </remarks>
public sealed class ReplicationStreamWriter : IDisposable
{
    private const int MaxRecordLength = RecordHeadLength + MaxDataPayload + ChecksumLength;

    /// <summary>Twice the largest record, so that a batch that is sent because the next record does not fit holds more than a mebibyte: a write large enough that a buffered output passes it through whole.</summary>
    private const int BatchBytes = 2 * MaxRecordLength;

    /// <summary>
    /// 16 MiB of batches: they let the hash catch up while the writer waits for its disk, and the writer run on while the
    /// hash waits for a core. With a mebibyte of them, a cold full send of 16 GiB took an eighth longer.
    /// </summary>
    private const int Batches = 8;

    /// <summary>Puts the bytes of one data record straight into their place in the stream.</summary>
    public delegate void DataFill(Span<byte> data);

    private readonly System.IO.Stream output;
    private readonly StreamDigest digest = new(Batches, BatchBytes);
    private readonly Compressor? compressor;
    private byte[]? batch;
    private int filled;

    /// <summary>Data filled aside, for a record that is compressed or clipped at the resume offset.</summary>
    private byte[]? aside;
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

        chain = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(bytes.Length - ChecksumLength));
        bytes.CopyTo(Reserve(bytes.Length));
        filled += bytes.Length;
    }

    /// <summary>The header as a reader will see it (creation time in whole microseconds, UTC).</summary>
    public StreamHeader Header { get; }

    /// <summary>Bytes written to the output so far, the header included; what is framed but not yet sent is not counted.</summary>
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

    /// <summary>
    /// Writes one data record of <paramref name="length"/> bytes (at most 1 MiB) at <paramref name="offset"/>, which
    /// <paramref name="fill"/> puts straight into the record's place in the stream, so that a sender reads them from its
    /// image where they go out. Nothing of the record is written if <paramref name="fill"/> throws.
    /// </summary>
    public void WriteData(long offset, int length, DataFill fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, MaxDataPayload);
        CheckRange(offset, length, nameof(offset));
        if (length == 0)
        {
            return;
        }

        if (compressor is not null || offset < Header.ResumeOffset)
        {
            // A compressed or clipped record is not the bytes as they are, so they are filled aside and written as any others.
            aside ??= new byte[MaxDataPayload];
            fill(aside.AsSpan(0, length));
            WriteData(offset, aside.AsSpan(0, length));
            return;
        }

        var record = Reserve(RecordHeadLength + length + ChecksumLength);
        fill(record.Slice(RecordHeadLength, length));
        lastEnd = offset + length;
        WriteRecord(RecordKind.Data, 0, offset, length, length);
        dataRecords++;
        dataBytes += length;
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

    /// <summary>Sends every record framed so far to the output and flushes it: a receiver that waits for the header gets it now.</summary>
    public void Flush()
    {
        CheckWritable();
        Send();
        output.Flush();
    }

    /// <summary>Writes the end record, flushes the output and returns what the end record says.</summary>
    public StreamSummary Finish()
    {
        CheckWritable();
        // The end record is framed aside: the digest it carries covers its own first bytes, after every batch.
        Send();
        var record = new byte[RecordHeadLength + EndPayloadLength + ChecksumLength];
        WriteHead(record, RecordKind.End, 0, EndPayloadLength, 0, 0);
        var payload = record.AsSpan(RecordHeadLength, EndPayloadLength);
        BinaryPrimitives.WriteInt64LittleEndian(payload, dataRecords);
        BinaryPrimitives.WriteInt64LittleEndian(payload[8..], holeRecords);
        BinaryPrimitives.WriteInt64LittleEndian(payload[16..], sizeChanges);
        BinaryPrimitives.WriteInt64LittleEndian(payload[24..], dataBytes);
        digest.Append(record.AsSpan(0, RecordHeadLength + EndDigestOffset));
        var hash = digest.Finish();
        hash.CopyTo(payload[EndDigestOffset..]);
        Seal(record, RecordHeadLength + EndPayloadLength);
        Write(record);
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
        var payload = Reserve(RecordHeadLength + chunk.Length + ChecksumLength).Slice(RecordHeadLength, chunk.Length);
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

    /// <summary>Frames a record whose payload is already in place after the head, at the end of the batch.</summary>
    private void WriteRecord(RecordKind kind, byte flags, long first, long second, int payloadLength)
    {
        // A payload put in place was given room for at least this much, so this finds the same place and sends nothing.
        var record = Reserve(RecordHeadLength + payloadLength + ChecksumLength);
        WriteHead(record, kind, flags, payloadLength, first, second);
        Seal(record, RecordHeadLength + payloadLength);
        filled += record.Length;
    }

    /// <summary>Room for <paramref name="length"/> more bytes at the end of the batch; a batch without that room is sent first.</summary>
    private Span<byte> Reserve(int length)
    {
        if (batch is not null && filled + length > batch.Length)
        {
            Send();
        }

        batch ??= digest.Rent();
        return batch.AsSpan(filled, length);
    }

    /// <summary>Writes the batch to the output and hands it to the digest, which gives it back through a later rent once hashed.</summary>
    private void Send()
    {
        if (batch is null || filled == 0)
        {
            return;
        }

        Write(batch.AsSpan(0, filled));
        digest.HandOver(batch, filled);
        batch = null;
        filled = 0;
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

    /// <summary>Appends the chained checksum to the first <paramref name="length"/> bytes of <paramref name="record"/>.</summary>
    private void Seal(Span<byte> record, int length)
    {
        var checksum = XxHash3.HashToUInt64(record[..length], chain);
        BinaryPrimitives.WriteUInt64LittleEndian(record[length..], checksum);
        chain = (long)checksum;
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
