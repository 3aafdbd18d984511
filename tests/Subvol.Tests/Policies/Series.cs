using Subvol.Policies;

namespace Subvol.Tests.Policies;

/// <summary>Series of automatic snapshots for retention tests, named as a policy names them.</summary>
internal static class Series
{
    public static DateTimeOffset Utc(int year, int month, int day, int hour = 0, int minute = 0) => new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    /// <summary>One snapshot every <paramref name="step"/> from <paramref name="first"/> up to and including <paramref name="last"/>.</summary>
    public static List<DatedSnapshot> Every(TimeSpan step, DateTimeOffset first, DateTimeOffset last)
    {
        var snapshots = new List<DatedSnapshot>();
        for (var at = first; at <= last; at += step)
        {
            snapshots.Add(At(at));
        }

        return snapshots;
    }

    public static DatedSnapshot At(DateTimeOffset at) => new(AutomaticSnapshotNames.Format(at, Interval.Hourly), at);

    public static Retention Keep(string keep, string? minimum = null) =>
        Retention.Parse(keep, Retention.DefaultFrequentPeriod) with { Minimum = minimum is null ? TimeSpan.Zero : Retention.ParseMinimum(minimum) };

    public static List<DateTimeOffset> KeptTimes(RetentionDecision decision) => decision.Keep.Select(kept => kept.Created.ToUniversalTime()).ToList();

    public static List<DateTimeOffset> KeptFor(RetentionDecision decision, string reason) =>
        decision.Keep.Where(kept => kept.Reasons.Contains(reason)).Select(kept => kept.Created.ToUniversalTime()).ToList();
}
