using System.Globalization;
using System.Text;

namespace Subvol.Stream;

/// <summary>Quotes untrusted text for messages and dumps so that control characters never reach a terminal raw.</summary>
internal static class StreamText
{
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('\'');
        foreach (var rune in text.EnumerateRunes())
        {
            _ = rune.Value switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                '\\' => builder.Append("\\\\"),
                '\'' => builder.Append("\\'"),
                // Format characters (bidirectional overrides, zero-width joiners) can disguise a name as another.
                _ when Rune.IsControl(rune) || Rune.GetUnicodeCategory(rune) == UnicodeCategory.Format
                    => builder.Append(rune.Value <= 0xFF ? $"\\x{rune.Value:x2}" : $"\\u{{{rune.Value:x}}}"),
                _ => builder.Append(rune.ToString()),
            };
        }

        return builder.Append('\'').ToString();
    }

    /// <summary>Shows bytes that are not valid UTF-8 as hexadecimal, so that they can be quoted at all.</summary>
    public static string Hex(ReadOnlySpan<byte> bytes) => "0x" + Convert.ToHexStringLower(bytes);

    public static string Timestamp(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
