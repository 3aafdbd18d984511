using System.Globalization;
using Subvol.Errors;

namespace Subvol.Names;

/// <summary>Sizes as storage tools write them: binary units (K = KiB), as in truncate(1) and zfs.</summary>
public static class ByteSize
{
    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>Parses "512M", "10G", "1.5T", "4096", "2GiB" (suffixes K, M, G, T, P, E, optionally followed by "iB" or "B").</summary>
    public static bool TryParse(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var trimmed = text.Trim();
        var end = trimmed.Length;
        if (trimmed.EndsWith("iB", StringComparison.OrdinalIgnoreCase))
        {
            end -= 2;
        }
        else if (end > 1 && trimmed.EndsWith('B') && char.IsLetter(trimmed[end - 2]))
        {
            end -= 1;
        }

        var shift = 0;
        if (end > 0 && char.IsLetter(trimmed[end - 1]))
        {
            shift = char.ToUpperInvariant(trimmed[end - 1]) switch
            {
                'K' => 10,
                'M' => 20,
                'G' => 30,
                'T' => 40,
                'P' => 50,
                'E' => 60,
                _ => -1,
            };
            end -= 1;
        }

        if (shift < 0 || end == 0)
        {
            return false;
        }

        if (!decimal.TryParse(trimmed.AsSpan(0, end), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number) || number <= 0)
        {
            return false;
        }

        try
        {
            var value = decimal.Ceiling(number * (1L << shift));
            if (value > long.MaxValue)
            {
                return false;
            }

            bytes = (long)value;
            return true;
        }
        catch (OverflowException)
        {
            return false;
        }
    }

    public static long Parse(string text, string what)
    {
        if (!TryParse(text, out var bytes))
        {
            throw SubvolException.Invalid($"invalid {what} {Printable.Quote(text)}", new Remedy.Advice("write a positive size such as 512M, 10G or 1.5T (binary units)"));
        }

        return bytes;
    }

    /// <summary>Formats with one decimal in the largest unit that keeps the number at least 1.</summary>
    public static string Format(long bytes)
    {
        if (bytes < 1024)
        {
            return $"{bytes} B";
        }

        var value = (double)bytes;
        var unit = 0;
        while (value >= 1024 && unit < Units.Length - 1)
        {
            value /= 1024;
            unit++;
        }

        return value.ToString("0.0", CultureInfo.InvariantCulture) + " " + Units[unit];
    }

    public static long RoundUp(long bytes, long multiple) => (bytes + multiple - 1) / multiple * multiple;
}
