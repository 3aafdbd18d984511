namespace Subvol.Stream.Age;

/// <summary>Base64 without '=' padding, as age writes it; only the canonical encoding of each value is read.</summary>
internal static class RawBase64
{
    public static string Encode(ReadOnlySpan<byte> data) => Convert.ToBase64String(data).TrimEnd('=');

    public static byte[]? TryDecode(string text)
    {
        if (text.Length % 4 == 1 || text.Contains('='))
        {
            return null;
        }

        var padded = text.Length % 4 == 0 ? text : text + new string('=', 4 - text.Length % 4);
        var bytes = new byte[padded.Length / 4 * 3];
        if (!Convert.TryFromBase64String(padded, bytes, out var written))
        {
            return null;
        }

        // Unused low bits of the last character make a second spelling of the same bytes; age refuses those.
        var value = bytes[..written];
        return Encode(value) == text ? value : null;
    }
}
