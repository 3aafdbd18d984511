using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Hashing;
using static Subvol.Stream.StreamConstants.ResumeTokenV1;

namespace Subvol.Stream;

/// <summary>Where an interrupted receive stopped, as a short URL-safe string the receiver prints and the sender is given back.</summary>
/// <remarks>The checksum catches typing and copying errors only; the sender must still check every field against what it is asked to send (openzfs#14153).</remarks>
/// <param name="TargetGuid">The snapshot being received.</param>
/// <param name="BaseGuid">The base of an incremental stream, or null.</param>
/// <param name="Offset">The image offset the receiver has safely written up to.</param>
/// <param name="ImageSize">The image size the interrupted stream declared.</param>
public sealed record ResumeToken(Guid TargetGuid, Guid? BaseGuid, long Offset, long ImageSize)
{
    /// <summary>The exact length of every version 1 token.</summary>
    public const int EncodedLength = TextLength;

    /// <summary>Unpadded base64url of: version, flags, target GUID, base GUID, offset, image size, checksum.</summary>
    public string Encode()
    {
        var problem = Offset < 0 || ImageSize < 0
            ? "the offset or the image size is negative"
            : Validate(TargetGuid, BaseGuid ?? Guid.Empty, BaseGuid is not null, (ulong)Offset, (ulong)ImageSize);
        if (problem is not null)
        {
            throw new InvalidOperationException($"cannot encode a resume token: {problem}");
        }

        Span<byte> bytes = stackalloc byte[BinaryLength];
        bytes[0] = TokenVersion;
        bytes[1] = BaseGuid is null ? (byte)0 : FlagHasBase;
        TargetGuid.TryWriteBytes(bytes.Slice(2, 16), bigEndian: true, out _);
        (BaseGuid ?? Guid.Empty).TryWriteBytes(bytes.Slice(18, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[34..], Offset);
        BinaryPrimitives.WriteInt64LittleEndian(bytes[42..], ImageSize);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[50..], XxHash3.HashToUInt64(bytes[..50], ChecksumSeed));
        return Base64Url.EncodeToString(bytes);
    }

    /// <summary>Decodes a token exactly as <see cref="Encode"/> writes it and refuses anything else, with a reason.</summary>
    public static bool TryDecode(string? text, out ResumeToken? token, out string? error)
    {
        token = null;
        if (text is null || text.Length != TextLength)
        {
            error = $"a resume token is {TextLength} characters; this one is {text?.Length ?? 0}";
            return false;
        }

        Span<byte> bytes = stackalloc byte[BinaryLength];
        if (Base64Url.DecodeFromChars(text, bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done
            || consumed != TextLength
            || written != BinaryLength
            || Base64Url.EncodeToString(bytes) != text)
        {
            error = "the resume token is not unpadded base64url";
            return false;
        }

        if (bytes[0] != TokenVersion)
        {
            error = $"resume token version {bytes[0]} is not supported; this reader knows version {TokenVersion}";
            return false;
        }

        if (XxHash3.HashToUInt64(bytes[..50], ChecksumSeed) != BinaryPrimitives.ReadUInt64LittleEndian(bytes[50..]))
        {
            error = "the resume token's checksum does not match: it was mistyped or altered";
            return false;
        }

        if (bytes[1] is not (0 or FlagHasBase))
        {
            error = $"resume token flags 0x{bytes[1]:x2} are unknown";
            return false;
        }

        var target = new Guid(bytes.Slice(2, 16), bigEndian: true);
        var baseGuid = new Guid(bytes.Slice(18, 16), bigEndian: true);
        var offset = BinaryPrimitives.ReadUInt64LittleEndian(bytes[34..]);
        var size = BinaryPrimitives.ReadUInt64LittleEndian(bytes[42..]);
        error = Validate(target, baseGuid, bytes[1] == FlagHasBase, offset, size);
        if (error is not null)
        {
            return false;
        }

        token = new ResumeToken(target, bytes[1] == FlagHasBase ? baseGuid : null, (long)offset, (long)size);
        return true;
    }

    private static string? Validate(Guid target, Guid baseGuid, bool hasBase, ulong offset, ulong size) =>
        target == Guid.Empty ? "the target GUID is all zeros"
        : hasBase == (baseGuid == Guid.Empty) ? "the base GUID does not agree with the token's flags"
        : hasBase && baseGuid == target ? "the base GUID equals the target GUID"
        : size is 0 or >= (ulong)StreamConstants.V1.MaxImageSize ? $"image size {size} is not from 1 to 2^56 - 1"
        : offset > size ? $"offset {offset} is beyond the image size {size}"
        : null;
}
