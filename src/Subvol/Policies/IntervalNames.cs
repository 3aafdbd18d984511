namespace Subvol.Policies;

/// <summary>How an interval is written: its label in snapshot names and listings, its btrbk unit, and its sanoid key.</summary>
public static class IntervalNames
{
    public static IReadOnlyList<Interval> FinestFirst { get; } = Enum.GetValues<Interval>();

    /// <summary>The word used in automatic snapshot names, reasons and listings: frequent, hourly, daily, weekly, monthly, yearly.</summary>
    public static string Label(Interval interval) => interval switch
    {
        Interval.Frequent => "frequent",
        Interval.Hourly => "hourly",
        Interval.Daily => "daily",
        Interval.Weekly => "weekly",
        Interval.Monthly => "monthly",
        Interval.Yearly => "yearly",
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, null),
    };

    /// <summary>The unit letter of a btrbk retention string ("48h 14d"); 'f' for frequent is Subvol's own addition.</summary>
    public static char Unit(Interval interval) => interval switch
    {
        Interval.Frequent => 'f',
        Interval.Hourly => 'h',
        Interval.Daily => 'd',
        Interval.Weekly => 'w',
        Interval.Monthly => 'm',
        Interval.Yearly => 'y',
        _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, null),
    };

    /// <summary>The sanoid key that counts this interval: frequently, hourly, daily, weekly, monthly, yearly.</summary>
    public static string CountKey(Interval interval) => interval == Interval.Frequent ? "frequently" : Label(interval);

    public static bool TryParseLabel(string text, out Interval interval)
    {
        foreach (var candidate in FinestFirst)
        {
            if (Label(candidate) == text)
            {
                interval = candidate;
                return true;
            }
        }

        interval = default;
        return false;
    }

    public static bool TryParseUnit(char unit, out Interval interval)
    {
        foreach (var candidate in FinestFirst)
        {
            if (Unit(candidate) == unit)
            {
                interval = candidate;
                return true;
            }
        }

        interval = default;
        return false;
    }
}
