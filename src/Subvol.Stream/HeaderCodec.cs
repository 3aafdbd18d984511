using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using static Subvol.Stream.StreamConstants.V1;
using V2 = Subvol.Stream.StreamConstants.V2;

namespace Subvol.Stream;

/// <summary>Turns a version 1 or 2 header into bytes and back; the layout is tabled in docs/stream-format.md.</summary>
internal static class HeaderCodec
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Encodes a header the caller built, refusing anything a reader would refuse.</summary>
    public static byte[] Encode(StreamHeader header)
    {
        var wrappedKey = header.Version switch
        {
            FormatVersion when header.WrappedKey is null => [],
            FormatVersion => throw new ArgumentException($"a wrapped key needs stream version {V2.FormatVersion}, not {FormatVersion}", nameof(header)),
            V2.FormatVersion when header.WrappedKey is null => throw new ArgumentException($"stream version {V2.FormatVersion} carries a wrapped key, and this header has none", nameof(header)),
            V2.FormatVersion => header.WrappedKey,
            _ => throw new ArgumentException($"this writer writes stream versions {FormatVersion} and {V2.FormatVersion}, not {header.Version}", nameof(header)),
        };
        Require(header.Version == V2.FormatVersion ? StreamRules.CheckWrappedKeyLength(wrappedKey.Length) : null);

        Require(StreamRules.CheckBlockSize(header.BlockSize));
        Require(header.ImageSize < 0 ? $"image size {header.ImageSize} is negative" : StreamRules.CheckImageSize((ulong)header.ImageSize, header.BlockSize));
        Require(header.TargetGuid == Guid.Empty ? "the target GUID is all zeros" : null);
        Require(header.BaseGuid == Guid.Empty ? "the base GUID is all zeros; use null for a full stream" : null);
        Require(header.BaseGuid == header.TargetGuid ? "the base GUID equals the target GUID" : null);
        Require(header.ResumeOffset < 0 || header.ResumeOffset > header.ImageSize
            ? $"resume offset {header.ResumeOffset} is outside the image size {header.ImageSize}"
            : null);
        var fileSystem = StreamRules.FileSystemCode(header.FileSystemType)
            ?? throw new ArgumentException($"filesystem type {StreamText.Quote(header.FileSystemType)} is not xfs or ext4", nameof(header));
        var flags = header.Compression switch
        {
            StreamCompression.None => 0u,
            StreamCompression.Zstd => HeaderFlagZstd,
            _ => throw new ArgumentException($"unknown compression {header.Compression}", nameof(header)),
        };
        var subvolume = EncodeName(header.SubvolumeName, "subvolume");
        var snapshot = EncodeName(header.SnapshotName, "snapshot");

        var namesEnd = HeaderFixedLength + subvolume.Length + snapshot.Length;
        var keyPart = header.Version == V2.FormatVersion ? V2.WrappedKeyLengthLength + wrappedKey.Length : 0;
        var bytes = new byte[namesEnd + keyPart + ChecksumLength];
        var span = bytes.AsSpan();
        StreamConstants.Magic.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[HeaderVersionOffset..], (uint)header.Version);
        BinaryPrimitives.WriteUInt32LittleEndian(span[HeaderFlagsOffset..], flags);
        BinaryPrimitives.WriteInt64LittleEndian(span[HeaderImageSizeOffset..], header.ImageSize);
        BinaryPrimitives.WriteUInt32LittleEndian(span[HeaderBlockSizeOffset..], (uint)header.BlockSize);
        header.TargetGuid.TryWriteBytes(span.Slice(HeaderTargetGuidOffset, 16), bigEndian: true, out _);
        (header.BaseGuid ?? Guid.Empty).TryWriteBytes(span.Slice(HeaderBaseGuidOffset, 16), bigEndian: true, out _);
        span[HeaderFileSystemOffset] = fileSystem;
        span[HeaderSubvolumeNameLengthOffset] = (byte)subvolume.Length;
        span[HeaderSnapshotNameLengthOffset] = (byte)snapshot.Length;
        span[HeaderReservedOffset] = 0;
        BinaryPrimitives.WriteInt64LittleEndian(span[HeaderCreatedAtOffset..], StreamRules.ToUnixMicroseconds(header.CreatedAt));
        BinaryPrimitives.WriteInt64LittleEndian(span[HeaderResumeOffsetOffset..], header.ResumeOffset);
        subvolume.CopyTo(span[HeaderFixedLength..]);
        snapshot.CopyTo(span[(HeaderFixedLength + subvolume.Length)..]);
        if (keyPart > 0)
        {
            BinaryPrimitives.WriteUInt16LittleEndian(span[namesEnd..], (ushort)wrappedKey.Length);
            wrappedKey.CopyTo(span[(namesEnd + V2.WrappedKeyLengthLength)..]);
        }

        var covered = span[..^ChecksumLength];
        BinaryPrimitives.WriteUInt64LittleEndian(span[^ChecksumLength..], XxHash3.HashToUInt64(covered, ChainSeed));
        return bytes;
    }

    /// <summary>The header as a reader will return it: UTC, whole microseconds.</summary>
    public static StreamHeader Normalize(StreamHeader header) => header with
    {
        WrappedKey = header.WrappedKey?.ToArray(),
        CreatedAt = StreamRules.FromUnixMicroseconds(StreamRules.ToUnixMicroseconds(header.CreatedAt))!.Value,
    };

    /// <summary>Decodes a header whose checksum already verified; <paramref name="bytes"/> starts at stream byte 0 and excludes the checksum.</summary>
    public static StreamHeader Decode(ReadOnlySpan<byte> bytes)
    {
        var version = (int)BinaryPrimitives.ReadUInt32LittleEndian(bytes[HeaderVersionOffset..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(bytes[HeaderFlagsOffset..]);
        if ((flags & ~HeaderKnownFlags) != 0)
        {
            throw Corrupt(HeaderFlagsOffset, $"header flags 0x{flags:x8} set unknown bits");
        }

        var blockSize = BinaryPrimitives.ReadUInt32LittleEndian(bytes[HeaderBlockSizeOffset..]);
        if (StreamRules.CheckBlockSize(blockSize) is { } blockProblem)
        {
            throw OutOfBounds(HeaderBlockSizeOffset, blockProblem);
        }

        var imageSize = BinaryPrimitives.ReadUInt64LittleEndian(bytes[HeaderImageSizeOffset..]);
        if (StreamRules.CheckImageSize(imageSize, (int)blockSize) is { } sizeProblem)
        {
            throw OutOfBounds(HeaderImageSizeOffset, sizeProblem);
        }

        var target = new Guid(bytes.Slice(HeaderTargetGuidOffset, 16), bigEndian: true);
        if (target == Guid.Empty)
        {
            throw Corrupt(HeaderTargetGuidOffset, "the target GUID is all zeros");
        }

        var baseGuid = new Guid(bytes.Slice(HeaderBaseGuidOffset, 16), bigEndian: true);
        if (baseGuid == target)
        {
            throw Corrupt(HeaderBaseGuidOffset, $"the base GUID equals the target GUID {target}");
        }

        var fileSystem = StreamRules.FileSystemName(bytes[HeaderFileSystemOffset])
            ?? throw Corrupt(HeaderFileSystemOffset, $"filesystem type code {bytes[HeaderFileSystemOffset]} is not xfs (1) or ext4 (2)");

        if (bytes[HeaderReservedOffset] != 0)
        {
            throw Corrupt(HeaderReservedOffset, $"reserved header byte is {bytes[HeaderReservedOffset]}, not 0");
        }

        var microseconds = BinaryPrimitives.ReadInt64LittleEndian(bytes[HeaderCreatedAtOffset..]);
        var createdAt = StreamRules.FromUnixMicroseconds(microseconds)
            ?? throw OutOfBounds(HeaderCreatedAtOffset, $"creation time {microseconds} µs is outside the years 1 to 9999");

        var resume = BinaryPrimitives.ReadUInt64LittleEndian(bytes[HeaderResumeOffsetOffset..]);
        if (resume > imageSize)
        {
            throw OutOfBounds(HeaderResumeOffsetOffset, $"resume offset {resume} is beyond the image size {imageSize}");
        }

        int subvolumeLength = bytes[HeaderSubvolumeNameLengthOffset];
        int snapshotLength = bytes[HeaderSnapshotNameLengthOffset];
        var subvolume = DecodeName(bytes.Slice(HeaderFixedLength, subvolumeLength), "subvolume", HeaderFixedLength);
        var snapshot = DecodeName(bytes.Slice(HeaderFixedLength + subvolumeLength, snapshotLength), "snapshot", HeaderFixedLength + subvolumeLength);
        var namesEnd = HeaderFixedLength + subvolumeLength + snapshotLength;
        var wrappedKey = version == V2.FormatVersion ? bytes[(namesEnd + V2.WrappedKeyLengthLength)..].ToArray() : null;

        return new StreamHeader(
            version,
            (long)imageSize,
            (int)blockSize,
            target,
            baseGuid == Guid.Empty ? null : baseGuid,
            fileSystem,
            subvolume,
            snapshot,
            createdAt,
            (long)resume,
            (flags & HeaderFlagZstd) != 0 ? StreamCompression.Zstd : StreamCompression.None)
        {
            WrappedKey = wrappedKey,
        };
    }

    private static string DecodeName(ReadOnlySpan<byte> utf8, string what, long offset) =>
        StreamRules.CheckName(utf8, what) is { } problem
            ? throw new StreamFormatException(StreamFormatError.InvalidName, offset, problem)
            : Encoding.UTF8.GetString(utf8);

    private static byte[] EncodeName(string name, string what)
    {
        byte[] utf8;
        try
        {
            utf8 = StrictUtf8.GetBytes(name);
        }
        catch (EncoderFallbackException)
        {
            throw new ArgumentException($"{what} name {StreamText.Quote(name)} holds an unpaired surrogate", nameof(name));
        }

        Require(StreamRules.CheckName(utf8, what));
        return utf8;
    }

    private static void Require(string? problem)
    {
        if (problem is not null)
        {
            throw new ArgumentException(problem, "header");
        }
    }

    private static StreamFormatException Corrupt(long offset, string message) => new(StreamFormatError.Corrupt, offset, message);

    private static StreamFormatException OutOfBounds(long offset, string message) => new(StreamFormatError.OutOfBounds, offset, message);
}
