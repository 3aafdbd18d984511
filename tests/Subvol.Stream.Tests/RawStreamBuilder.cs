using System.Buffers.Binary;
using System.IO.Hashing;
using System.Security.Cryptography;
using System.Text;

namespace Subvol.Stream.Tests;

/// <summary>Writes version 1 and 2 streams field by field from docs/stream-format.md, with valid checksums around whatever values a test chooses.</summary>
/// <remarks>It shares no code with the writer, so it also checks the documented layout, and it can say what a hostile sender would.</remarks>
public sealed class RawStreamBuilder
{
    private readonly MemoryStream bytes = new();
    private ulong chain;
    private long dataRecords;
    private long holeRecords;
    private long sizeChanges;
    private long dataBytes;

    public uint Version { get; init; } = 1;

    public uint Flags { get; init; }

    public ulong ImageSize { get; init; } = 65536;

    public uint BlockSize { get; init; } = 4096;

    public Guid Target { get; init; } = Samples.TargetGuid;

    public Guid Base { get; init; }

    public byte FileSystem { get; init; } = 1;

    public byte[] SubvolumeName { get; init; } = "home"u8.ToArray();

    public byte[] SnapshotName { get; init; } = "daily-1"u8.ToArray();

    public byte Reserved { get; init; }

    public long CreatedAtMicroseconds { get; init; } = Samples.CreatedAt.ToUnixTimeMilliseconds() * 1000;

    public ulong ResumeOffset { get; init; }

    /// <summary>Version 2's wrapped key, written after the names with its u16 length; null writes no key part (version 1's layout).</summary>
    public byte[]? WrappedKey { get; init; }

    /// <summary>The u16 length written before the wrapped key, when a test lies about it.</summary>
    public ushort? WrappedKeyLength { get; init; }

    public static byte[] Utf8(string text) => Encoding.UTF8.GetBytes(text);

    public RawStreamBuilder WriteHeader()
    {
        var namesEnd = 80 + SubvolumeName.Length + SnapshotName.Length;
        var header = new byte[namesEnd + (WrappedKey is null ? 0 : 2 + WrappedKey.Length)];
        ((ReadOnlySpan<byte>)[0x89, 0x53, 0x56, 0x53, 0x0D, 0x0A, 0x1A, 0x0A]).CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(8), Version);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(12), Flags);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(16), ImageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(header.AsSpan(24), BlockSize);
        Target.TryWriteBytes(header.AsSpan(28, 16), bigEndian: true, out _);
        Base.TryWriteBytes(header.AsSpan(44, 16), bigEndian: true, out _);
        header[60] = FileSystem;
        header[61] = (byte)SubvolumeName.Length;
        header[62] = (byte)SnapshotName.Length;
        header[63] = Reserved;
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(64), CreatedAtMicroseconds);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(72), ResumeOffset);
        SubvolumeName.CopyTo(header, 80);
        SnapshotName.CopyTo(header, 80 + SubvolumeName.Length);
        if (WrappedKey is not null)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(header.AsSpan(namesEnd), WrappedKeyLength ?? (ushort)WrappedKey.Length);
            WrappedKey.CopyTo(header, namesEnd + 2);
        }

        chain = XxHash3.HashToUInt64(header, 0);
        bytes.Write(header);
        WriteUInt64(chain);
        return this;
    }

    /// <summary>Any record, sealed with the right chained checksum; <paramref name="payloadLength"/> may lie about the payload.</summary>
    public RawStreamBuilder Record(byte kind, byte flags, ulong first, ulong second, byte[]? payload = null, uint? payloadLength = null, ushort reserved = 0)
    {
        payload ??= [];
        var record = new byte[24 + payload.Length];
        record[0] = kind;
        record[1] = flags;
        BinaryPrimitives.WriteUInt16LittleEndian(record.AsSpan(2), reserved);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), payloadLength ?? (uint)payload.Length);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(8), first);
        BinaryPrimitives.WriteUInt64LittleEndian(record.AsSpan(16), second);
        payload.CopyTo(record, 24);
        chain = XxHash3.HashToUInt64(record, (long)chain);
        bytes.Write(record);
        WriteUInt64(chain);
        return this;
    }

    public RawStreamBuilder Data(ulong offset, byte[] data)
    {
        dataRecords++;
        dataBytes += data.Length;
        return Record(1, 0, offset, (ulong)data.Length, data);
    }

    public RawStreamBuilder CompressedData(ulong offset, ulong rawLength, byte[] frame)
    {
        dataRecords++;
        dataBytes += (long)rawLength;
        return Record(1, 1, offset, rawLength, frame);
    }

    public RawStreamBuilder Hole(ulong offset, ulong length)
    {
        holeRecords++;
        return Record(2, 0, offset, length);
    }

    public RawStreamBuilder SizeChange(ulong newSize)
    {
        sizeChanges++;
        return Record(3, 0, newSize, 0);
    }

    /// <summary>The end record with the counts seen so far unless told otherwise, and the true digest.</summary>
    public byte[] End(long? dataRecordCount = null, long? holeRecordCount = null, long? sizeChangeCount = null, long? dataByteCount = null, bool breakDigest = false)
    {
        var record = new byte[24 + 64];
        record[0] = 4;
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), 64);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(24), dataRecordCount ?? dataRecords);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(32), holeRecordCount ?? holeRecords);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(40), sizeChangeCount ?? sizeChanges);
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(48), dataByteCount ?? dataBytes);
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(bytes.GetBuffer(), 0, (int)bytes.Length);
        sha.AppendData(record, 0, 56);
        var digest = sha.GetHashAndReset();
        if (breakDigest)
        {
            digest[0] ^= 1;
        }

        digest.CopyTo(record, 56);
        chain = XxHash3.HashToUInt64(record, (long)chain);
        bytes.Write(record);
        WriteUInt64(chain);
        return bytes.ToArray();
    }

    /// <summary>The bytes so far, for streams that stop early.</summary>
    public byte[] ToArray() => bytes.ToArray();

    private void WriteUInt64(ulong value)
    {
        Span<byte> buffer = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(buffer, value);
        bytes.Write(buffer);
    }
}
