using Subvol.Policies;
using static Subvol.Tests.Policies.Series;

namespace Subvol.Tests.Policies;

/// <summary>
/// A policy runs in UTC: the same instants written with a zone's local offset, across the days its
/// clocks change, take the same snapshots under the same names and prune the same ones.
/// </summary>
public sealed class DaylightSavingTests
{
    private static readonly Retention HourlyAndDaily = Keep("24h 7d");

    public static TheoryData<string, DateTimeOffset> Changes => new()
    {
        // Europe/Berlin: summer time begins 29 March 2026 01:00 UTC and ends 25 October 2026 01:00 UTC.
        { "Europe/Berlin", Utc(2026, 3, 29, 1) },
        { "Europe/Berlin", Utc(2026, 10, 25, 1) },
        // America/New_York: daylight time begins 8 March 2026 07:00 UTC and ends 1 November 2026 06:00 UTC.
        { "America/New_York", Utc(2026, 3, 8, 7) },
        { "America/New_York", Utc(2026, 11, 1, 6) },
    };

    [Theory]
    [MemberData(nameof(Changes))]
    public void ARunAcrossAClockChangeDecidesAsInUtc(string zoneId, DateTimeOffset change)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        var start = change - TimeSpan.FromDays(2);
        var end = change + TimeSpan.FromDays(2);

        var inUtc = Simulate(start, end, instant => instant);
        var inZone = Simulate(start, end, instant => TimeZoneInfo.ConvertTime(instant, zone));

        // The zone's offset really changed during the run.
        Assert.NotEqual(zone.GetUtcOffset(start), zone.GetUtcOffset(end));
        Assert.Equal(inUtc.Taken, inZone.Taken);
        Assert.Equal(inUtc.Remaining, inZone.Remaining);

        // One snapshot per UTC hour, with no duplicate and no gap, and each new day's first (labelled daily) at 00:00 UTC.
        Assert.Equal((int)(end - start).TotalHours, inZone.Taken.Count);
        Assert.Equal(inZone.Taken.Count, inZone.Taken.Distinct().Count());
        var hours = inZone.Taken.Select(name => Parse(name).At).ToList();
        Assert.All(hours.Zip(hours.Skip(1)), pair => Assert.Equal(TimeSpan.FromHours(1), pair.Second - pair.First));
        Assert.All(inZone.Taken.Skip(1).Where(name => Parse(name).Label == Interval.Daily), name => Assert.Equal(0, Parse(name).At.Hour));
        Assert.Equal(24 + 4, inZone.Remaining.Count);
    }

    [Theory]
    [MemberData(nameof(Changes))]
    public void BucketsOfLocalTimesAreTheBucketsOfTheirUtcInstants(string zoneId, DateTimeOffset change)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
        for (var instant = change - TimeSpan.FromHours(3); instant <= change + TimeSpan.FromHours(3); instant += TimeSpan.FromMinutes(15))
        {
            var local = TimeZoneInfo.ConvertTime(instant, zone);
            foreach (var interval in Enum.GetValues<Interval>())
            {
                Assert.Equal(SnapshotSchedule.BucketStart(interval, instant, Retention.DefaultFrequentPeriod), SnapshotSchedule.BucketStart(interval, local, Retention.DefaultFrequentPeriod));
            }

            Assert.Equal(AutomaticSnapshotNames.Format(instant, Interval.Hourly), AutomaticSnapshotNames.Format(local, Interval.Hourly));
        }
    }

    /// <summary>
    /// Runs a policy every fifteen minutes from <paramref name="start"/> to <paramref name="end"/>, with
    /// the clock reading each instant as <paramref name="clock"/> writes it: takes what is due, then prunes.
    /// </summary>
    private static (List<string> Taken, List<string> Remaining) Simulate(DateTimeOffset start, DateTimeOffset end, Func<DateTimeOffset, DateTimeOffset> clock)
    {
        var taken = new List<string>();
        var existing = new List<DatedSnapshot>();
        for (var instant = start; instant < end; instant += TimeSpan.FromMinutes(15))
        {
            var now = clock(instant);
            if (SnapshotSchedule.Due(existing.Select(snapshot => snapshot.Created).ToList(), now, HourlyAndDaily) is { } label)
            {
                var name = AutomaticSnapshotNames.Format(now, label);
                taken.Add(name);
                existing.Add(new DatedSnapshot(name, now));
            }

            var decision = RetentionRules.Apply(existing, now, HourlyAndDaily);
            Assert.Null(decision.PausedBecause);
            existing.RemoveAll(snapshot => decision.Prune.Contains(snapshot));
        }

        return (taken, existing.Select(snapshot => snapshot.Name).ToList());
    }

    private static (DateTimeOffset At, Interval Label) Parse(string name)
    {
        Assert.True(AutomaticSnapshotNames.TryParse(name, out var at, out var label), name);
        return (at, label);
    }
}
