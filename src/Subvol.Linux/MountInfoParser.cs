using System.Globalization;
using System.Text;

namespace Subvol.Linux;

/// <summary>Parses /proc/self/mountinfo lines, described in proc_pid_mountinfo(5).</summary>
internal static class MountInfoParser
{
    /// <summary>The entry a line describes, or null when the line is not a mount.</summary>
    public static MountEntry? Parse(string line)
    {
        // Fields: id, parent, major:minor, root, target, options, optional fields…, "-", type, source, super options.
        var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var separator = fields.Length > 6 ? Array.IndexOf(fields, "-", 6) : -1;
        if (separator < 0 || fields.Length < separator + 3
            || !int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var mountId))
        {
            return null;
        }

        return new MountEntry(
            mountId,
            Unescape(fields[separator + 2]),
            Unescape(fields[4]),
            Unescape(fields[separator + 1]),
            fields[5],
            fields.Length > separator + 3 ? Unescape(fields[separator + 3]) : string.Empty);
    }

    public static IReadOnlyList<MountEntry> ParseAll(IEnumerable<string> lines)
    {
        var entries = new List<MountEntry>();
        foreach (var line in lines)
        {
            if (Parse(line) is { } entry)
            {
                entries.Add(entry);
            }
        }

        return entries;
    }

    /// <summary>Undoes the kernel's octal escapes (\040 space, \011 tab, \012 newline, \134 backslash) in a field.</summary>
    public static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal))
        {
            return field;
        }

        // Escapes stand for bytes of a UTF-8 path, so work on bytes and decode at the end.
        var input = Encoding.UTF8.GetBytes(field);
        var output = new byte[input.Length];
        var length = 0;
        for (var i = 0; i < input.Length; i++)
        {
            if (input[i] == (byte)'\\' && i + 3 < input.Length && IsOctal(input[i + 1]) && IsOctal(input[i + 2]) && IsOctal(input[i + 3]))
            {
                output[length++] = (byte)(((input[i + 1] - '0') << 6) | ((input[i + 2] - '0') << 3) | (input[i + 3] - '0'));
                i += 3;
            }
            else
            {
                output[length++] = input[i];
            }
        }

        return Encoding.UTF8.GetString(output, 0, length);
    }

    private static bool IsOctal(byte c) => c is >= (byte)'0' and <= (byte)'7';
}
