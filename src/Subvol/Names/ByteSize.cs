using System.Globalization;
using Subvol.Errors;

namespace Subvol.Names;

/// <summary>Sizes as storage tools write them: binary units (K = KiB), as in truncate(1) and zfs.</summary>
public static class ByteSize
{
    private const string Example = "write a positive size such as 512M, 10G or 1.5T (units K, M, G, T, P, E are binary; a bare number is bytes)";

    private static readonly string[] Units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];

    /// <summary>
    /// Parses "512M", "10G", "1.5T", "4096", "2GiB", "100B": a unit K, M, G, T, P or E, optionally followed by "B" or "iB",
    /// in either case and always binary, as zfs reads sizes; a bare number is bytes, and so a whole number.
    /// </summary>
    public static bool TryParse(string? text, out long bytes) => Read(text, out bytes) is null;

    /// <summary>Parses a size, or refuses it with what was wrong and how it was read.</summary>
    public static long Parse(string text, string what)
    {
        if (Read(text, out var bytes) is { } refusal)
        {
            throw SubvolException.Invalid($"invalid {what} {Printable.Quote(text)}: {refusal.Problem}", new Remedy.Advice(refusal.Remedy));
        }

        return bytes;
    }

    /// <summary>
    /// Parses a size that must be at least <paramref name="minimum"/> bytes for <paramref name="purpose"/> ("an xfs
    /// subvolume"), and when it is not, says how the text was read, since a forgotten unit makes gigabytes bytes.
    /// </summary>
    public static long Parse(string text, string what, long minimum, string purpose)
    {
        var bytes = Parse(text, what);
        if (bytes >= minimum)
        {
            return bytes;
        }

        var trimmed = text.Trim();
        var bare = trimmed.All(char.IsAsciiDigit);
        var exact = $"{bytes.ToString(CultureInfo.InvariantCulture)} bytes";
        throw SubvolException.Invalid(
            $"{what} {Printable.Quote(text)} was read as {(bare ? exact : $"{Format(bytes)} ({exact})")}; {purpose} needs at least {Format(minimum)}",
            new Remedy.Advice(bare ? $"write {trimmed}G for gigabytes (or {trimmed}M for megabytes)" : $"give at least {Shortest(minimum)}"));
    }

    /// <summary>Reads a size; returns null when it is one, or else what is wrong with it and what to write instead.</summary>
    private static (string Problem, string Remedy)? Read(string? text, out long bytes)
    {
        bytes = 0;
        if (string.IsNullOrWhiteSpace(text))
        {
            return ("it is empty", Example);
        }

        var trimmed = text.Trim();
        var end = trimmed.Length;
        while (end > 0 && char.IsLetter(trimmed[end - 1]))
        {
            end--;
        }

        var digits = trimmed.AsSpan(0, end);
        if (digits.IsEmpty || !decimal.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return (digits.StartsWith("-") ? "a size cannot be negative" : "it is not a number", Example);
        }

        var suffix = trimmed[end..];
        var shift = Shift(suffix);
        if (shift is null)
        {
            return ($"{Printable.Quote(suffix)} is not a unit", Example);
        }

        if (number <= 0)
        {
            return ("a size must be more than 0", Example);
        }

        if (shift == 0 && decimal.Truncate(number) != number)
        {
            var written = number.ToString(CultureInfo.InvariantCulture);
            return ($"it was read as {written} bytes, and bytes come whole", $"add a unit: {written}G for gigabytes, {written}M for megabytes");
        }

        var value = number * (1L << shift.Value);
        if (value > long.MaxValue)
        {
            return ("it is larger than any size Subvol can hold (8 EiB)", Example);
        }

        bytes = (long)decimal.Ceiling(value);
        return null;
    }

    /// <summary>The power of two a unit stands for: "" and "B" are bytes; K, KB and KiB (any case) are 2^10; null for anything else.</summary>
    private static int? Shift(string suffix)
    {
        if (suffix.Length == 0 || suffix.Equals("B", StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        var unit = char.ToUpperInvariant(suffix[0]) switch
        {
            'K' => 10,
            'M' => 20,
            'G' => 30,
            'T' => 40,
            'P' => 50,
            'E' => 60,
            _ => (int?)null,
        };
        var rest = suffix[1..];
        return rest.Length == 0 || rest.Equals("B", StringComparison.OrdinalIgnoreCase) || rest.Equals("iB", StringComparison.OrdinalIgnoreCase) ? unit : null;
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

        return string.Create(CultureInfo.InvariantCulture, $"{value:0.0} {Units[unit]}");
    }

    /// <summary>Writes a size as a person would type it: "300M" for a whole number of a unit, else in bytes.</summary>
    private static string Shortest(long bytes)
    {
        var shift = 60;
        while (shift > 0 && bytes % (1L << shift) != 0)
        {
            shift -= 10;
        }

        return (bytes >> shift).ToString(CultureInfo.InvariantCulture) + (shift == 0 ? "" : "KMGTPE"[(shift / 10) - 1]);
    }

    public static long RoundUp(long bytes, long multiple) => (bytes + multiple - 1) / multiple * multiple;
}
