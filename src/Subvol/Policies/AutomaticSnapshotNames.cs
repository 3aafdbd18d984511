using System.Globalization;

namespace Subvol.Policies;

/// <summary>
/// The names of the snapshots a policy takes, "auto-2026-12-04T1700Z-hourly": the UTC minute it was
/// taken and the interval it was taken for, so that a person and a script tell them from manual
/// snapshots, and no DST change can give two of them one name.
/// </summary>
public static class AutomaticSnapshotNames
{
    public const string Prefix = "auto-";

    private const string TimeFormat = "yyyy-MM-dd'T'HHmm'Z'";

    /// <summary>The name of an automatic snapshot taken at <paramref name="at"/> (to the minute, in UTC) for <paramref name="label"/>.</summary>
    public static string Format(DateTimeOffset at, Interval label) =>
        $"{Prefix}{at.ToUniversalTime().ToString(TimeFormat, CultureInfo.InvariantCulture)}-{IntervalNames.Label(label)}";

    /// <summary>Reads a name that <see cref="Format"/> makes; any other name, a manual snapshot's, is refused.</summary>
    public static bool TryParse(string name, out DateTimeOffset at, out Interval label)
    {
        at = default;
        label = default;
        const int timeLength = 16;
        if (!name.StartsWith(Prefix, StringComparison.Ordinal) || name.Length < Prefix.Length + timeLength + 2 || name[Prefix.Length + timeLength] != '-')
        {
            return false;
        }

        return DateTimeOffset.TryParseExact(name.AsSpan(Prefix.Length, timeLength), TimeFormat, CultureInfo.InvariantCulture,
                   DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out at)
               && IntervalNames.TryParseLabel(name[(Prefix.Length + timeLength + 1)..], out label);
    }

    /// <summary>Whether a snapshot was taken by a policy: its name starts with "auto-" and reads as <see cref="Format"/> writes it.</summary>
    public static bool IsAutomatic(string name) => TryParse(name, out _, out _);
}
