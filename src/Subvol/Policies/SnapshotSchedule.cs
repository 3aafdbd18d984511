namespace Subvol.Policies;

/// <summary>
/// When a policy's next snapshot is due, in UTC: one per bucket of the finest interval it keeps,
/// labelled with the coarsest interval whose current bucket has none yet, as btrbk takes one series
/// of snapshots and lets retention pick from it. Local time never enters, so a DST change makes
/// neither a duplicate nor a gap.
/// </summary>
public static class SnapshotSchedule
{
    private static readonly DateTimeOffset Epoch = DateTimeOffset.UnixEpoch;

    /// <summary>
    /// The start of the bucket of <paramref name="interval"/> that holds <paramref name="time"/>: the
    /// frequent period since the Unix epoch, the UTC hour, the UTC date, the ISO week (Monday 00:00
    /// UTC), the month, or the year.
    /// </summary>
    public static DateTimeOffset BucketStart(Interval interval, DateTimeOffset time, TimeSpan frequentPeriod)
    {
        var utc = time.ToUniversalTime();
        var date = new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero);
        return interval switch
        {
            Interval.Frequent => FrequentBucketStart(utc, frequentPeriod),
            Interval.Hourly => date.AddHours(utc.Hour),
            Interval.Daily => date,
            Interval.Weekly => date.AddDays(-(((int)utc.DayOfWeek + 6) % 7)),
            Interval.Monthly => new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero),
            Interval.Yearly => new DateTimeOffset(utc.Year, 1, 1, 0, 0, 0, TimeSpan.Zero),
            _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, null),
        };
    }

    /// <summary>The start of the bucket after the one that holds <paramref name="time"/>.</summary>
    public static DateTimeOffset NextBucketStart(Interval interval, DateTimeOffset time, TimeSpan frequentPeriod)
    {
        var start = BucketStart(interval, time, frequentPeriod);
        return interval switch
        {
            Interval.Frequent => start + frequentPeriod,
            Interval.Hourly => start.AddHours(1),
            Interval.Daily => start.AddDays(1),
            Interval.Weekly => start.AddDays(7),
            Interval.Monthly => start.AddMonths(1),
            Interval.Yearly => start.AddYears(1),
            _ => throw new ArgumentOutOfRangeException(nameof(interval), interval, null),
        };
    }

    /// <summary>
    /// The label of the snapshot due at <paramref name="now"/>, or null when none is: one is due when
    /// no automatic snapshot lies in the current bucket of the finest kept interval, and it is
    /// labelled with the coarsest kept interval whose current bucket has no automatic snapshot yet
    /// (the first snapshot of a day is "daily", the others that day "hourly").
    /// </summary>
    public static Interval? Due(IReadOnlyList<DateTimeOffset> automaticSnapshots, DateTimeOffset now, Retention retention)
    {
        if (retention.Finest is not { } finest || HasSnapshotInCurrentBucket(finest, automaticSnapshots, now, retention.FrequentPeriod))
        {
            return null;
        }

        for (var interval = Interval.Yearly; interval > finest; interval--)
        {
            if (retention.Count(interval) > 0 && !HasSnapshotInCurrentBucket(interval, automaticSnapshots, now, retention.FrequentPeriod))
            {
                return interval;
            }
        }

        return finest;
    }

    /// <summary>
    /// When the next snapshot is due: <paramref name="now"/> when one is due now, else the start of
    /// the next bucket of the finest kept interval; null when nothing is kept by interval.
    /// </summary>
    public static DateTimeOffset? NextDue(IReadOnlyList<DateTimeOffset> automaticSnapshots, DateTimeOffset now, Retention retention)
    {
        if (retention.Finest is not { } finest)
        {
            return null;
        }

        return Due(automaticSnapshots, now, retention) is null ? NextBucketStart(finest, now, retention.FrequentPeriod) : now;
    }

    private static bool HasSnapshotInCurrentBucket(Interval interval, IReadOnlyList<DateTimeOffset> snapshots, DateTimeOffset now, TimeSpan frequentPeriod)
    {
        var current = BucketStart(interval, now, frequentPeriod);
        return snapshots.Any(snapshot => BucketStart(interval, snapshot, frequentPeriod) == current);
    }

    private static DateTimeOffset FrequentBucketStart(DateTimeOffset utc, TimeSpan frequentPeriod)
    {
        if (frequentPeriod <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(frequentPeriod), frequentPeriod, "the frequent period must be positive");
        }

        // Floor division, so that a time before the epoch falls into the bucket that starts before it.
        var elapsed = (utc - Epoch).Ticks;
        var remainder = elapsed % frequentPeriod.Ticks;
        return utc.AddTicks(-(remainder < 0 ? remainder + frequentPeriod.Ticks : remainder));
    }
}
