using System.Globalization;
using Subvol.Errors;
using Subvol.Names;

namespace Subvol.Policies;

/// <summary>
/// How many snapshots of each interval to keep, as btrbk counts them: the first snapshot of each of
/// the N most recent hours, days, weeks, months or years that hold one. A missing interval keeps
/// none; <see cref="All"/> keeps the first of every bucket ("*"). <paramref name="Minimum"/> keeps
/// every snapshot younger than it (btrbk's preserve_min), and <paramref name="FrequentPeriod"/> is the
/// length of a frequent bucket.
/// </summary>
public sealed record Retention(IReadOnlyDictionary<Interval, int> Counts, TimeSpan Minimum, TimeSpan FrequentPeriod)
{
    /// <summary>The count that keeps the first snapshot of every bucket ("*").</summary>
    public const int All = int.MaxValue;

    public static readonly TimeSpan DefaultFrequentPeriod = TimeSpan.FromMinutes(15);

    private const double MaximumMinimumDays = 10_000 * 366;

    /// <summary>A minimum that keeps every snapshot, whatever its age (btrbk's "all").</summary>
    public static readonly TimeSpan KeepAll = TimeSpan.MaxValue;

    /// <summary>The finest interval with a count above zero, or null when nothing is kept by interval.</summary>
    public Interval? Finest => IntervalNames.FinestFirst.Where(interval => Count(interval) > 0).Select(interval => (Interval?)interval).FirstOrDefault();

    /// <summary>How many buckets of <paramref name="interval"/> are kept; 0 when none, <see cref="All"/> for "*".</summary>
    public int Count(Interval interval) => Counts.TryGetValue(interval, out var count) ? count : 0;

    /// <summary>
    /// Reads a btrbk retention string such as "48h 14d 8w 12m *y": words of a count (or "*") and a
    /// unit h, d, w, m, y (or f, for frequent buckets), in any order, each unit once; "no" keeps
    /// nothing by interval. The minimum is zero.
    /// </summary>
    public static Retention Parse(string keep, TimeSpan frequentPeriod)
    {
        var words = keep.Split([' ', '\t', ','], StringSplitOptions.RemoveEmptyEntries);
        var counts = new Dictionary<Interval, int>();
        if (words is ["no"])
        {
            return new Retention(counts, TimeSpan.Zero, frequentPeriod);
        }

        if (words.Length == 0)
        {
            throw SubvolException.Invalid("the retention is empty; write counts with units, such as 48h 14d 8w 12m *y, or no to keep nothing by interval");
        }

        foreach (var word in words)
        {
            var unit = word[^1];
            if (!IntervalNames.TryParseUnit(unit, out var interval))
            {
                throw SubvolException.Invalid(
                    $"{Printable.Quote(word)} in the retention {Printable.Quote(keep)} has no unit; end each count with h, d, w, m or y (or f for frequent), as in 48h 14d 8w 12m *y");
            }

            if (counts.ContainsKey(interval))
            {
                throw SubvolException.Invalid($"{Printable.Quote(word)} in the retention {Printable.Quote(keep)} repeats the unit {unit}; give each unit once");
            }

            counts[interval] = ParseCount(word[..^1]) ?? throw SubvolException.Invalid(
                $"{Printable.Quote(word)} in the retention {Printable.Quote(keep)} is not a count; write a whole number or * before the unit, as in 48h or *y");
        }

        return new Retention(counts, TimeSpan.Zero, frequentPeriod);
    }

    /// <summary>
    /// Reads a minimum age such as "2d" (btrbk's preserve_min): a whole number and a unit h, d, w, m
    /// or y, where a month counts 31 days and a year 366 so that a minimum never keeps less than the
    /// calendar would; "latest" and "no" mean none, "all" keeps everything.
    /// </summary>
    public static TimeSpan ParseMinimum(string text)
    {
        var word = text.Trim();
        switch (word)
        {
            case "latest" or "no" or "0":
                return TimeSpan.Zero;
            case "all":
                return KeepAll;
        }

        var days = word.Length < 2 ? 0 : word[^1] switch
        {
            'h' => 1.0 / 24,
            'd' => 1,
            'w' => 7,
            'm' => 31,
            'y' => 366,
            _ => 0,
        };
        // Beyond ten thousand years a minimum means "all", and would overflow a TimeSpan first.
        if (days == 0 || !int.TryParse(word.AsSpan(0, word.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || days * count > MaximumMinimumDays)
        {
            throw SubvolException.Invalid($"{Printable.Quote(text)} is not a minimum age; write a whole number and a unit h, d, w, m or y, such as 2d, latest to keep only the newest, or all to keep everything");
        }

        return word[^1] == 'h' ? TimeSpan.FromHours(count) : TimeSpan.FromDays(days * count);
    }

    /// <summary>A count as a sanoid key or a btrbk word gives it: a whole number, or "*" for all; null when it is neither.</summary>
    public static int? ParseCount(string text)
    {
        if (text == "*")
        {
            return All;
        }

        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var count) ? count : null;
    }

    /// <summary>The counts as a btrbk string, finest first ("24h 14d 12m"), or "no" when nothing is kept by interval.</summary>
    public string CountsText
    {
        get
        {
            var words = IntervalNames.FinestFirst.Where(interval => Count(interval) > 0)
                .Select(interval => (Count(interval) == All ? "*" : Count(interval).ToString(CultureInfo.InvariantCulture)) + IntervalNames.Unit(interval))
                .ToList();
            return words.Count == 0 ? "no" : string.Join(' ', words);
        }
    }

    /// <summary>The minimum as keep_min takes it ("2d", "36h", "all"), or "latest" when there is none.</summary>
    public string MinimumText => Minimum == TimeSpan.Zero ? "latest"
        : Minimum == KeepAll ? "all"
        : Minimum.Ticks % TimeSpan.TicksPerDay == 0 ? $"{(long)Minimum.TotalDays}d"
        : Minimum.Ticks % TimeSpan.TicksPerHour == 0 ? $"{(long)Minimum.TotalHours}h"
        : $"{(long)Minimum.TotalMinutes}min";

    /// <summary>The btrbk-style string used in listings: "24h 14d 12m", with "min 2d" when a minimum is kept.</summary>
    public override string ToString() => Minimum == TimeSpan.Zero ? CountsText : $"{CountsText} min {MinimumText}";

    /// <summary>Two retentions are the same when they keep the same counts, minimum and frequent period, however they were written.</summary>
    public bool Equals(Retention? other) =>
        other is not null
        && Minimum == other.Minimum
        && FrequentPeriod == other.FrequentPeriod
        && IntervalNames.FinestFirst.All(interval => Count(interval) == other.Count(interval));

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(Minimum);
        hash.Add(FrequentPeriod);
        foreach (var interval in IntervalNames.FinestFirst)
        {
            hash.Add(Count(interval));
        }

        return hash.ToHashCode();
    }
}
