using Subvol.Policies;
using static Subvol.Tests.Policies.Series;

namespace Subvol.Tests.Policies;

public sealed class SnapshotScheduleTests
{
    private static readonly TimeSpan Quarter = Retention.DefaultFrequentPeriod;

    public static TheoryData<Interval, DateTimeOffset, DateTimeOffset, DateTimeOffset> Buckets => new()
    {
        { Interval.Frequent, Utc(2026, 12, 4, 17, 44), Utc(2026, 12, 4, 17, 30), Utc(2026, 12, 4, 17, 45) },
        { Interval.Hourly, Utc(2026, 12, 4, 17, 59), Utc(2026, 12, 4, 17), Utc(2026, 12, 4, 18) },
        { Interval.Daily, Utc(2026, 12, 31, 23, 59), Utc(2026, 12, 31), Utc(2027, 1, 1) },
        // 1 January 2027 is a Friday: its ISO week began on Monday 28 December 2026 and ends before Monday 4 January.
        { Interval.Weekly, Utc(2027, 1, 1, 12), Utc(2026, 12, 28), Utc(2027, 1, 4) },
        { Interval.Weekly, Utc(2027, 1, 4), Utc(2027, 1, 4), Utc(2027, 1, 11) },
        { Interval.Weekly, Utc(2027, 1, 3, 23, 59), Utc(2026, 12, 28), Utc(2027, 1, 4) },
        // A leap day is a day of its own and belongs to February.
        { Interval.Daily, Utc(2028, 2, 29, 23, 59), Utc(2028, 2, 29), Utc(2028, 3, 1) },
        { Interval.Monthly, Utc(2028, 2, 29, 23, 59), Utc(2028, 2, 1), Utc(2028, 3, 1) },
        { Interval.Monthly, Utc(2027, 1, 31, 23, 59), Utc(2027, 1, 1), Utc(2027, 2, 1) },
        { Interval.Yearly, Utc(2027, 12, 31, 23, 59), Utc(2027, 1, 1), Utc(2028, 1, 1) },
    };

    [Theory]
    [MemberData(nameof(Buckets))]
    public void EachIntervalHasItsUtcBucket(Interval interval, DateTimeOffset time, DateTimeOffset start, DateTimeOffset next)
    {
        Assert.Equal(start, SnapshotSchedule.BucketStart(interval, time, Quarter));
        Assert.Equal(next, SnapshotSchedule.NextBucketStart(interval, time, Quarter));
    }

    [Fact]
    public void FrequentBucketsCountThePeriodFromTheEpoch()
    {
        var tenMinutes = TimeSpan.FromMinutes(10);

        Assert.Equal(Utc(2026, 12, 4, 17, 40), SnapshotSchedule.BucketStart(Interval.Frequent, Utc(2026, 12, 4, 17, 49), tenMinutes));
        // Seven minutes do not divide an hour: buckets run on from the epoch, not from the hour.
        var seven = TimeSpan.FromMinutes(7);
        var start = SnapshotSchedule.BucketStart(Interval.Frequent, Utc(2026, 12, 4, 17, 3), seven);
        Assert.Equal(0, (start - DateTimeOffset.UnixEpoch).Ticks % seven.Ticks);
        Assert.True(start <= Utc(2026, 12, 4, 17, 3) && Utc(2026, 12, 4, 17, 3) < start + seven);
    }

    [Fact]
    public void BucketsOfATimeWithAnOffsetAreThoseOfItsUtcInstant()
    {
        // 00:30 on 1 January in Berlin is still 31 December in UTC.
        var berlin = new DateTimeOffset(2027, 1, 1, 0, 30, 0, TimeSpan.FromHours(1));

        Assert.Equal(Utc(2026, 12, 31), SnapshotSchedule.BucketStart(Interval.Daily, berlin, Quarter));
        Assert.Equal(Utc(2026, 1, 1), SnapshotSchedule.BucketStart(Interval.Yearly, berlin, Quarter));
    }

    [Fact]
    public void TheFirstSnapshotOfADayIsDailyAndTheRestOfTheDayHourly()
    {
        var retention = Keep("24h 14d");

        Assert.Equal(Interval.Daily, SnapshotSchedule.Due([Utc(2026, 12, 4, 23)], Utc(2026, 12, 5, 0, 1), retention));
        Assert.Equal(Interval.Hourly, SnapshotSchedule.Due([Utc(2026, 12, 4, 23), Utc(2026, 12, 5, 0, 1)], Utc(2026, 12, 5, 1), retention));
        Assert.Null(SnapshotSchedule.Due([Utc(2026, 12, 5, 1)], Utc(2026, 12, 5, 1, 59), retention));
    }

    [Fact]
    public void TheLabelIsTheCoarsestKeptIntervalWithoutASnapshotInItsCurrentBucket()
    {
        var retention = Keep("4f 24h 7d 4w 12m *y");

        Assert.Equal(Interval.Yearly, SnapshotSchedule.Due([], Utc(2027, 1, 4, 0, 5), retention));
        Assert.Equal(Interval.Monthly, SnapshotSchedule.Due([Utc(2027, 1, 1)], Utc(2027, 2, 1), retention));
        // Monday 8 February 2027 starts a week of a month and year that have their snapshots already.
        Assert.Equal(Interval.Weekly, SnapshotSchedule.Due([Utc(2027, 2, 1), Utc(2027, 2, 7, 23)], Utc(2027, 2, 8, 0, 1), retention));
        Assert.Equal(Interval.Frequent, SnapshotSchedule.Due([Utc(2027, 2, 8, 0, 1)], Utc(2027, 2, 8, 0, 15), retention));
        Assert.Null(SnapshotSchedule.Due([Utc(2027, 2, 8, 0, 1)], Utc(2027, 2, 8, 0, 14), retention));
    }

    [Fact]
    public void IntervalsKeptAtZeroGiveNoLabelAndNothingIsDueWithoutCounts()
    {
        var retention = Keep("0h 7d 0m");

        Assert.Equal(Interval.Daily, SnapshotSchedule.Due([Utc(2027, 1, 31)], Utc(2027, 2, 1), retention));
        Assert.Null(SnapshotSchedule.Due([], Utc(2027, 2, 1), Keep("no")));
        Assert.Null(SnapshotSchedule.NextDue([], Utc(2027, 2, 1), Keep("no")));
    }

    [Fact]
    public void NextDueIsNowWhenDueElseTheNextBucketOfTheFinestInterval()
    {
        var retention = Keep("24h 7d");

        Assert.Equal(Utc(2026, 12, 5, 1, 30), SnapshotSchedule.NextDue([Utc(2026, 12, 5)], Utc(2026, 12, 5, 1, 30), retention));
        Assert.Equal(Utc(2026, 12, 5, 2), SnapshotSchedule.NextDue([Utc(2026, 12, 5, 1, 1)], Utc(2026, 12, 5, 1, 30), retention));
        Assert.Equal(Utc(2026, 12, 5, 1, 45), SnapshotSchedule.NextDue([Utc(2026, 12, 5, 1, 31)], Utc(2026, 12, 5, 1, 32), Keep("4f 24h")));
    }
}
