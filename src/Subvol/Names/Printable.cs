using System.Text;

namespace Subvol.Names;

/// <summary>Quotes untrusted text for messages so that control characters cannot reach a terminal raw.</summary>
public static class Printable
{
    public static string Quote(string text)
    {
        var builder = new StringBuilder(text.Length + 2).Append('\'');
        foreach (var character in text)
        {
            _ = character switch
            {
                '\n' => builder.Append("\\n"),
                '\r' => builder.Append("\\r"),
                '\t' => builder.Append("\\t"),
                '\\' => builder.Append("\\\\"),
                '\'' => builder.Append("\\'"),
                _ when char.IsControl(character) => builder.Append($"\\x{(int)character:x2}"),
                _ => builder.Append(character),
            };
        }

        return builder.Append('\'').ToString();
    }
}
