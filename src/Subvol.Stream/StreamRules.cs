using System.Numerics;
using System.Text;
using System.Text.Unicode;
using static Subvol.Stream.StreamConstants.V1;

namespace Subvol.Stream;

/// <summary>The value rules that the writer enforces and the reader verifies, kept in one place so that a writer cannot emit what a reader refuses.</summary>
/// <remarks>Each check returns a description of the problem, or null when the value is acceptable.</remarks>
internal static class StreamRules
{
    public static string? CheckBlockSize(long blockSize) =>
        blockSize is < MinBlockSize or > MaxBlockSize || !BitOperations.IsPow2(blockSize)
            ? $"block size {blockSize} is not a power of two from {MinBlockSize} to {MaxBlockSize}"
            : null;

    /// <summary>Checks an image size (the header's or a size change's) against a block size already known to be valid.</summary>
    public static string? CheckImageSize(ulong size, int blockSize) =>
        size == 0 ? "image size is 0"
        : size >= MaxImageSize ? $"image size {size} is not below 2^56"
        : size % (ulong)blockSize != 0 ? $"image size {size} is not a multiple of the block size {blockSize}"
        : null;

    /// <summary>A version 2 header's wrapped key: present, and small enough that a hostile header cannot ask for much memory.</summary>
    public static string? CheckWrappedKeyLength(int length) =>
        length is < 1 or > StreamConstants.V2.MaxWrappedKeyBytes
            ? $"wrapped key length {length} is not from 1 to {StreamConstants.V2.MaxWrappedKeyBytes} bytes"
            : null;

    /// <summary>Checks a name's UTF-8 bytes; a stream is untrusted, so a name must be safe to use as one path component and to print.</summary>
    public static string? CheckName(ReadOnlySpan<byte> utf8, string what)
    {
        if (utf8.Length == 0)
        {
            return $"{what} name is empty";
        }

        if (utf8.Length > MaxNameBytes)
        {
            return $"{what} name is {utf8.Length} bytes, more than {MaxNameBytes}";
        }

        if (!Utf8.IsValid(utf8))
        {
            return $"{what} name {StreamText.Hex(utf8)} is not valid UTF-8";
        }

        var text = Encoding.UTF8.GetString(utf8);
        if (text is "." or "..")
        {
            return $"{what} name {StreamText.Quote(text)} is a relative path component";
        }

        foreach (var rune in text.EnumerateRunes())
        {
            if (rune.Value == '/')
            {
                return $"{what} name {StreamText.Quote(text)} contains '/'";
            }

            if (Rune.IsControl(rune))
            {
                return $"{what} name {StreamText.Quote(text)} contains the control character U+{rune.Value:X4}";
            }
        }

        return null;
    }

    public static byte? FileSystemCode(string type) => type switch
    {
        "xfs" => FileSystemXfs,
        "ext4" => FileSystemExt4,
        _ => null,
    };

    public static string? FileSystemName(byte code) => code switch
    {
        FileSystemXfs => "xfs",
        FileSystemExt4 => "ext4",
        _ => null,
    };

    /// <summary>Microseconds since the Unix epoch, the unit the header stores.</summary>
    public static long ToUnixMicroseconds(DateTimeOffset time) =>
        (time.UtcTicks / TimeSpan.TicksPerMicrosecond) - (DateTimeOffset.UnixEpoch.UtcTicks / TimeSpan.TicksPerMicrosecond);

    public static DateTimeOffset? FromUnixMicroseconds(long microseconds)
    {
        var min = ToUnixMicroseconds(DateTimeOffset.MinValue);
        var max = ToUnixMicroseconds(DateTimeOffset.MaxValue);
        return microseconds < min || microseconds > max
            ? null
            : DateTimeOffset.UnixEpoch.AddTicks(microseconds * TimeSpan.TicksPerMicrosecond);
    }
}
