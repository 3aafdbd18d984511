using System.Buffers.Binary;
using System.IO.Hashing;
using ZstdSharp;
using ZstdSharp.Unsafe;
using static Subvol.Stream.StreamConstants.V1;
using V2 = Subvol.Stream.StreamConstants.V2;

namespace Subvol.Stream;

/// <summary>Reads a replication stream, verifies every structure, and hands each record to a sink only after it verified.</summary>
/// <remarks>A stream is untrusted input: every length is bounded before anything is allocated from it, and every failure is a <see cref="StreamFormatException"/>.</remarks>
public sealed class ReplicationStreamReader : IDisposable
{
    private readonly System.IO.Stream input;
    private readonly StreamDigest digest = StreamDigest.ForReader();
    private byte[] buffer = new byte[RecordHeadLength + EndPayloadLength + ChecksumLength];
    private byte[]? raw;
    private Decompressor? decompressor;
    private StreamHeader? header;
    private long chain;
    private bool recordsRead;

    public ReplicationStreamReader(System.IO.Stream input)
    {
        ArgumentNullException.ThrowIfNull(input);
        this.input = input;
    }

    /// <summary>Bytes consumed from the input so far.</summary>
    public long BytesRead { get; private set; }

    /// <summary>Reads and verifies the header; calling it again returns the same header.</summary>
    public StreamHeader ReadHeader()
    {
        if (header is not null)
        {
            return header;
        }

        var preamble = new byte[StreamConstants.PreambleLength];
        var got = ReadUpTo(preamble);
        var magicSeen = Math.Min(got, StreamConstants.MagicLength);
        if (!preamble.AsSpan(0, magicSeen).SequenceEqual(StreamConstants.Magic[..magicSeen]))
        {
            throw new StreamFormatException(StreamFormatError.NotAStream, 0, $"the input starts with {StreamText.Hex(preamble.AsSpan(0, magicSeen))}, not the subvol stream magic");
        }

        if (got < preamble.Length)
        {
            throw Truncated(got, "the stream header");
        }

        var version = BinaryPrimitives.ReadUInt32LittleEndian(preamble.AsSpan(StreamConstants.MagicLength));
        if (version is not (FormatVersion or V2.FormatVersion))
        {
            throw new StreamFormatException(StreamFormatError.UnsupportedVersion, HeaderVersionOffset, $"stream version {version} is not supported; this reader knows versions {FormatVersion} and {V2.FormatVersion}");
        }

        var fixedPart = new byte[HeaderFixedLength];
        preamble.CopyTo(fixedPart, 0);
        Fill(fixedPart.AsSpan(preamble.Length), "the stream header");
        var namesEnd = HeaderFixedLength + fixedPart[HeaderSubvolumeNameLengthOffset] + fixedPart[HeaderSnapshotNameLengthOffset];
        var keyLength = 0;
        if (version == V2.FormatVersion)
        {
            // The key's length is read before the checksum can vouch for it, so it is bounded first: a hostile length must not size an allocation.
            var lengthBytes = new byte[V2.WrappedKeyLengthLength];
            var named = new byte[namesEnd];
            fixedPart.CopyTo(named, 0);
            Fill(named.AsSpan(HeaderFixedLength), "the stream header");
            Fill(lengthBytes, "the stream header");
            keyLength = BinaryPrimitives.ReadUInt16LittleEndian(lengthBytes);
            if (StreamRules.CheckWrappedKeyLength(keyLength) is { } keyProblem)
            {
                throw new StreamFormatException(StreamFormatError.OutOfBounds, namesEnd, keyProblem);
            }

            fixedPart = [.. named, .. lengthBytes];
        }

        var bytes = new byte[namesEnd + (version == V2.FormatVersion ? V2.WrappedKeyLengthLength + keyLength : 0) + ChecksumLength];
        fixedPart.CopyTo(bytes, 0);
        Fill(bytes.AsSpan(fixedPart.Length), "the stream header");

        var covered = bytes.AsSpan(0, bytes.Length - ChecksumLength);
        var stored = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(covered.Length));
        if (XxHash3.HashToUInt64(covered, ChainSeed) != stored)
        {
            throw new StreamFormatException(StreamFormatError.ChecksumMismatch, covered.Length, "the header checksum does not match the header");
        }

        header = HeaderCodec.Decode(covered);
        chain = (long)stored;
        digest.Append(bytes);
        return header;
    }

    /// <summary>Reads every record into <paramref name="sink"/>: Begin first, then each record once it verified, then End once the whole stream verified.</summary>
    public StreamSummary ReadRecords(IStreamSink sink)
    {
        ArgumentNullException.ThrowIfNull(sink);
        if (recordsRead)
        {
            throw new InvalidOperationException("the records were already read");
        }

        recordsRead = true;
        var streamHeader = ReadHeader();
        sink.Begin(streamHeader);
        var state = new RecordState(streamHeader);
        while (true)
        {
            var start = BytesRead;
            var kind = ReadRecord(streamHeader, start, out var flags, out var first, out var second, out var payloadLength);
            switch (kind)
            {
                case RecordKind.Data:
                    CheckRange(state, start, "data", first, second);
                    var data = (flags & RecordFlagZstd) != 0
                        ? Decompress(start, payloadLength, (int)second)
                        : buffer.AsSpan(RecordHeadLength, payloadLength);
                    state.DataRecords++;
                    state.DataBytes += (long)second;
                    state.LastEnd = (long)(first + second);
                    sink.Data((long)first, data);
                    break;

                case RecordKind.Hole:
                    if (second == 0)
                    {
                        throw new StreamFormatException(StreamFormatError.Corrupt, start + RecordSecondOffset, $"hole record at offset {first} has length 0");
                    }

                    CheckRange(state, start, "hole", first, second);
                    state.HoleRecords++;
                    state.LastEnd = (long)(first + second);
                    sink.Hole((long)first, (long)second);
                    break;

                case RecordKind.SizeChange:
                    CheckSizeChange(state, streamHeader, start, first);
                    state.SizeChanges++;
                    state.CurrentSize = (long)first;
                    sink.SizeChange((long)first);
                    break;

                default:
                    var summary = VerifyEnd(state, start);
                    sink.End(summary);
                    return summary;
            }
        }
    }

    public void Dispose()
    {
        digest.Dispose();
        decompressor?.Dispose();
    }

    /// <summary>Reads one record into the buffer and verifies its bounds, its layout and its chained checksum.</summary>
    private RecordKind ReadRecord(StreamHeader streamHeader, long start, out byte flags, out ulong first, out ulong second, out int payloadLength)
    {
        Fill(buffer.AsSpan(0, RecordHeadLength), "a record head");
        var head = buffer.AsSpan(0, RecordHeadLength);
        var kind = (RecordKind)head[RecordKindOffset];
        flags = head[RecordFlagsOffset];
        var reserved = BinaryPrimitives.ReadUInt16LittleEndian(head[RecordReservedOffset..]);
        var length = BinaryPrimitives.ReadUInt32LittleEndian(head[RecordPayloadLengthOffset..]);
        first = BinaryPrimitives.ReadUInt64LittleEndian(head[RecordFirstOffset..]);
        second = BinaryPrimitives.ReadUInt64LittleEndian(head[RecordSecondOffset..]);

        // Everything that decides how many bytes to read and allocate is checked before the checksum can be.
        var problem = kind switch
        {
            RecordKind.Data => CheckDataHead(streamHeader, flags, length, second),
            RecordKind.Hole or RecordKind.SizeChange when flags != 0 => $"{Name(kind)} record has flags 0x{flags:x2}; none are defined",
            RecordKind.Hole when length != 0 => $"hole record has a payload of {length} bytes",
            RecordKind.SizeChange when length != 0 || second != 0 => $"size-change record has a payload of {length} bytes or a second field of {second}",
            RecordKind.End when flags != 0 || length != EndPayloadLength || first != 0 || second != 0 =>
                $"end record is malformed (flags 0x{flags:x2}, payload {length} bytes, fields {first} and {second})",
            RecordKind.Data or RecordKind.Hole or RecordKind.SizeChange or RecordKind.End => null,
            _ => $"record kind {(byte)kind} is unknown",
        };
        if (problem is not null)
        {
            var error = kind == RecordKind.Data && second is 0 or > MaxDataPayload ? StreamFormatError.OutOfBounds : StreamFormatError.Corrupt;
            throw new StreamFormatException(error, start, problem);
        }

        if (reserved != 0)
        {
            throw new StreamFormatException(StreamFormatError.Corrupt, start + RecordReservedOffset, $"reserved record field is 0x{reserved:x4}, not 0");
        }

        payloadLength = (int)length;
        var total = RecordHeadLength + payloadLength + ChecksumLength;
        if (buffer.Length < total)
        {
            var grown = new byte[Math.Min(Math.Max(total, buffer.Length * 2), RecordHeadLength + MaxDataPayload + ChecksumLength)];
            buffer.AsSpan(0, RecordHeadLength).CopyTo(grown);
            buffer = grown;
        }

        Fill(buffer.AsSpan(RecordHeadLength, payloadLength + ChecksumLength), $"a {Name(kind)} record");
        var covered = buffer.AsSpan(0, RecordHeadLength + payloadLength);
        var stored = BinaryPrimitives.ReadUInt64LittleEndian(buffer.AsSpan(covered.Length));
        if (XxHash3.HashToUInt64(covered, chain) != stored)
        {
            throw new StreamFormatException(
                StreamFormatError.ChecksumMismatch,
                start + covered.Length,
                $"the checksum of the {Name(kind)} record at stream byte {start} does not match: the record, or one before it, was damaged, dropped, duplicated or reordered");
        }

        chain = (long)stored;
        if (kind == RecordKind.End)
        {
            digest.Append(buffer.AsSpan(0, RecordHeadLength + EndDigestOffset));
        }
        else
        {
            digest.Append(buffer.AsSpan(0, total));
        }

        return kind;
    }

    private static string? CheckDataHead(StreamHeader streamHeader, byte flags, uint storedLength, ulong rawLength)
    {
        if ((flags & ~RecordFlagZstd) != 0)
        {
            return $"data record has unknown flags 0x{flags:x2}";
        }

        if (rawLength is 0 or > MaxDataPayload)
        {
            return $"data record length {rawLength} is not from 1 to {MaxDataPayload}";
        }

        if ((flags & RecordFlagZstd) == 0)
        {
            return storedLength == rawLength ? null : $"raw data record stores {storedLength} bytes for a length of {rawLength}";
        }

        if (streamHeader.Compression != StreamCompression.Zstd)
        {
            return "data record is compressed but the header does not allow compression";
        }

        return storedLength > 0 && storedLength < rawLength
            ? null
            : $"compressed data record stores {storedLength} bytes for a length of {rawLength}; a frame must be smaller than its data";
    }

    private static void CheckRange(RecordState state, long start, string what, ulong offset, ulong length)
    {
        var size = (ulong)state.CurrentSize;
        if (offset > size || length > size - offset)
        {
            throw new StreamFormatException(
                StreamFormatError.OutOfBounds,
                start + RecordFirstOffset,
                $"{what} record of {length} bytes at offset {offset} reaches beyond the image size {size}");
        }

        if (offset < (ulong)state.Cursor)
        {
            var reason = state.LastEnd >= state.ResumeOffset
                ? $"the previous record ended at {state.LastEnd}"
                : $"the stream resumes at {state.ResumeOffset}";
            throw new StreamFormatException(StreamFormatError.OutOfOrder, start + RecordFirstOffset, $"{what} record at offset {offset} does not ascend: {reason}");
        }
    }

    private static void CheckSizeChange(RecordState state, StreamHeader streamHeader, long start, ulong newSize)
    {
        var where = start + RecordFirstOffset;
        if (StreamRules.CheckImageSize(newSize, streamHeader.BlockSize) is { } problem)
        {
            throw new StreamFormatException(StreamFormatError.OutOfBounds, where, $"size-change record: {problem}");
        }

        if (newSize == (ulong)state.CurrentSize)
        {
            throw new StreamFormatException(StreamFormatError.Corrupt, where, $"size-change record keeps the size at {newSize}");
        }

        if (newSize < (ulong)state.Cursor)
        {
            throw new StreamFormatException(StreamFormatError.OutOfBounds, where, $"size-change record to {newSize} would cut off the stream's progress at {state.Cursor}");
        }
    }

    private ReadOnlySpan<byte> Decompress(long start, int storedLength, int rawLength)
    {
        if (decompressor is null)
        {
            decompressor = new Decompressor();
            decompressor.SetParameter(ZSTD_dParameter.ZSTD_d_windowLogMax, ZstdWindowLogMax);
        }

        if (raw is null || raw.Length < rawLength)
        {
            raw = new byte[Math.Min(MaxDataPayload, Math.Max(rawLength, (raw?.Length ?? 0) * 2))];
        }

        int written;
        bool fits;
        try
        {
            fits = decompressor.TryUnwrap(buffer.AsSpan(RecordHeadLength, storedLength), raw.AsSpan(0, rawLength), out written);
        }
        catch (ZstdException exception)
        {
            throw new StreamFormatException(StreamFormatError.Corrupt, start + RecordHeadLength, $"compressed data record does not decompress: {exception.Message}");
        }

        if (!fits || written != rawLength)
        {
            throw new StreamFormatException(
                StreamFormatError.Corrupt,
                start + RecordHeadLength,
                $"compressed data record decompresses to {(fits ? written.ToString(System.Globalization.CultureInfo.InvariantCulture) : "more than " + rawLength)} bytes, not {rawLength}");
        }

        return raw.AsSpan(0, rawLength);
    }

    private StreamSummary VerifyEnd(RecordState state, long start)
    {
        var payload = buffer.AsSpan(RecordHeadLength, EndPayloadLength);
        Span<long> claimed =
        [
            BinaryPrimitives.ReadInt64LittleEndian(payload),
            BinaryPrimitives.ReadInt64LittleEndian(payload[8..]),
            BinaryPrimitives.ReadInt64LittleEndian(payload[16..]),
            BinaryPrimitives.ReadInt64LittleEndian(payload[24..]),
        ];
        ReadOnlySpan<long> seen = [state.DataRecords, state.HoleRecords, state.SizeChanges, state.DataBytes];
        ReadOnlySpan<string> names = ["data records", "hole records", "size changes", "data bytes"];
        for (var i = 0; i < seen.Length; i++)
        {
            if (claimed[i] != seen[i])
            {
                throw new StreamFormatException(
                    StreamFormatError.Corrupt,
                    start + RecordHeadLength + (i * 8),
                    $"the end record counts {(ulong)claimed[i]} {names[i]} but the stream held {seen[i]}");
            }
        }

        var hash = digest.Finish();
        if (!payload[EndDigestOffset..].SequenceEqual(hash))
        {
            throw new StreamFormatException(StreamFormatError.ChecksumMismatch, start + RecordHeadLength + EndDigestOffset, "the whole-stream SHA-256 digest does not match");
        }

        Span<byte> probe = stackalloc byte[1];
        if (input.Read(probe) != 0)
        {
            throw new StreamFormatException(StreamFormatError.TrailingData, BytesRead, "bytes follow the end record");
        }

        return new StreamSummary(state.DataRecords, state.HoleRecords, state.SizeChanges, state.DataBytes, hash);
    }

    private static string Name(RecordKind kind) => kind switch
    {
        RecordKind.Data => "data",
        RecordKind.Hole => "hole",
        RecordKind.SizeChange => "size-change",
        RecordKind.End => "end",
        _ => "unknown",
    };

    private void Fill(Span<byte> destination, string what)
    {
        var got = ReadUpTo(destination);
        if (got < destination.Length)
        {
            throw Truncated(BytesRead, what);
        }
    }

    private int ReadUpTo(Span<byte> destination)
    {
        var total = 0;
        while (total < destination.Length)
        {
            var read = input.Read(destination[total..]);
            if (read == 0)
            {
                break;
            }

            total += read;
            BytesRead += read;
        }

        return total;
    }

    private static StreamFormatException Truncated(long offset, string what) =>
        new(StreamFormatError.Truncated, offset, $"the input ends inside {what}");

    /// <summary>What the records so far establish: the size that bounds the next one, the point it must start at, and the counts the end record must repeat.</summary>
    private sealed class RecordState(StreamHeader header)
    {
        public long CurrentSize { get; set; } = header.ImageSize;

        public long ResumeOffset { get; } = header.ResumeOffset;

        public long LastEnd { get; set; }

        /// <summary>No data or hole record may start before this.</summary>
        public long Cursor => Math.Max(LastEnd, ResumeOffset);

        public long DataRecords { get; set; }

        public long HoleRecords { get; set; }

        public long SizeChanges { get; set; }

        public long DataBytes { get; set; }
    }
}
