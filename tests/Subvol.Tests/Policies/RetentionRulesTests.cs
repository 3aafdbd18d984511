using Subvol.Policies;
using static Subvol.Tests.Policies.Series;

namespace Subvol.Tests.Policies;

public sealed class RetentionRulesTests
{
    private static readonly TimeSpan Hour = TimeSpan.FromHours(1);
    private static readonly TimeSpan Day = TimeSpan.FromDays(1);

    [Fact]
    public void HourlyKeepsTheFirstSnapshotOfEachOfTheMostRecentHours()
    {
        var snapshots = Every(TimeSpan.FromMinutes(15), Utc(2026, 12, 4, 10), Utc(2026, 12, 4, 13, 45));

        var decision = RetentionRules.Apply(snapshots, Utc(2026, 12, 4, 13, 50), Keep("3h"));

        Assert.Equal([Utc(2026, 12, 4, 11), Utc(2026, 12, 4, 12), Utc(2026, 12, 4, 13)], KeptFor(decision, "hourly"));
        Assert.Equal([Utc(2026, 12, 4, 11), Utc(2026, 12, 4, 12), Utc(2026, 12, 4, 13), Utc(2026, 12, 4, 13, 45)], KeptTimes(decision));
        Assert.Equal(["newest"], decision.Keep[^1].Reasons);
        Assert.Equal(16 - 4, decision.Prune.Count);
        Assert.Null(decision.PausedBecause);
    }

    [Fact]
    public void FrequentKeepsTheFirstOfEachPeriod()
    {
        var snapshots = Every(TimeSpan.FromMinutes(5), Utc(2026, 12, 4, 10), Utc(2026, 12, 4, 10, 55));

        var decision = RetentionRules.Apply(snapshots, Utc(2026, 12, 4, 11), Keep("2f"));

        Assert.Equal([Utc(2026, 12, 4, 10, 30), Utc(2026, 12, 4, 10, 45)], KeptFor(decision, "frequent"));
    }

    [Fact]
    public void DailyWeeklyMonthlyAndYearlyKeepTheFirstOfTheirBuckets()
    {
        // A snapshot every six hours through 2026 and 2027.
        var snapshots = Every(TimeSpan.FromHours(6), Utc(2026, 1, 1, 3), Utc(2027, 12, 31, 21));

        var decision = RetentionRules.Apply(snapshots, Utc(2028, 1, 1), Keep("2d 2w 2m *y"));

        Assert.Equal([Utc(2027, 12, 30, 3), Utc(2027, 12, 31, 3)], KeptFor(decision, "daily"));
        // Monday 20 and Monday 27 December 2027 start the last two ISO weeks.
        Assert.Equal([Utc(2027, 12, 20, 3), Utc(2027, 12, 27, 3)], KeptFor(decision, "weekly"));
        Assert.Equal([Utc(2027, 11, 1, 3), Utc(2027, 12, 1, 3)], KeptFor(decision, "monthly"));
        Assert.Equal([Utc(2026, 1, 1, 3), Utc(2027, 1, 1, 3)], KeptFor(decision, "yearly"));
        Assert.Equal(snapshots.Count - decision.Keep.Count, decision.Prune.Count);
    }

    [Fact]
    public void ASnapshotKeptForSeveralReasonsListsThemAll()
    {
        var snapshots = Every(Hour, Utc(2026, 11, 30, 20), Utc(2026, 12, 1, 2));

        var decision = RetentionRules.Apply(snapshots, Utc(2026, 12, 1, 2, 30), Keep("3h 2d 1m"));

        var midnight = decision.Keep.Single(kept => kept.Created == Utc(2026, 12, 1));
        Assert.Equal(["hourly", "daily", "monthly"], midnight.Reasons);
        Assert.Equal(["newest", "hourly"], decision.Keep.Single(kept => kept.Created == Utc(2026, 12, 1, 2)).Reasons);
    }

    [Fact]
    public void SanoidCountsAndBtrbkStringsDecideAlike()
    {
        var counts = PolicyFile.Parse("[home]\nhourly = 24\ndaily = 14\nweekly = 4\nmonthly = 12\nyearly = *\n", "policy.conf").Policies[0].Retention;
        var keep = PolicyFile.Parse("[home]\nkeep = 24h 14d 4w 12m *y\n", "policy.conf").Policies[0].Retention;
        var snapshots = Every(TimeSpan.FromMinutes(30), Utc(2026, 1, 1), Utc(2027, 3, 1));

        var byCounts = RetentionRules.Apply(snapshots, Utc(2027, 3, 1, 1), counts);
        var byKeep = RetentionRules.Apply(snapshots, Utc(2027, 3, 1, 1), keep);

        Assert.Equal(keep, counts);
        Assert.Equal(byKeep.Keep.Select(kept => (kept.Name, string.Join(',', kept.Reasons))), byCounts.Keep.Select(kept => (kept.Name, string.Join(',', kept.Reasons))));
        Assert.Equal(byKeep.Prune, byCounts.Prune);
        Assert.Equal(24, KeptFor(byCounts, "hourly").Count);
    }

    [Fact]
    public void MonthEndsAndTheLeapDayFallInTheirOwnMonthsAndDays()
    {
        // Snapshots at 23:59 and 00:01 around every month end of 2028, a leap year.
        var snapshots = new List<DatedSnapshot>();
        for (var month = 1; month <= 12; month++)
        {
            var firstOfNext = month == 12 ? Utc(2029, 1, 1) : Utc(2028, month + 1, 1);
            snapshots.Add(At(firstOfNext.AddMinutes(-1)));
            snapshots.Add(At(firstOfNext.AddMinutes(1)));
        }

        var decision = RetentionRules.Apply(snapshots, Utc(2029, 1, 1, 1), Keep("12m"));

        // The first of each month is its 00:01 snapshot; the one a minute before belongs to the month before, which has an earlier one.
        Assert.Equal([.. Enumerable.Range(2, 11).Select(month => Utc(2028, month, 1, 0, 1)), Utc(2029, 1, 1, 0, 1)], KeptFor(decision, "monthly"));
        Assert.Contains(Utc(2028, 2, 29, 23, 59), decision.Prune.Select(pruned => pruned.Created));
        Assert.Contains(Utc(2028, 1, 31, 23, 59), decision.Prune.Select(pruned => pruned.Created));
        var leap = RetentionRules.Apply(Every(Hour * 12, Utc(2028, 2, 27), Utc(2028, 3, 1, 12)), Utc(2028, 3, 1, 13), Keep("3d"));
        Assert.Equal([Utc(2028, 2, 28), Utc(2028, 2, 29), Utc(2028, 3, 1)], KeptFor(leap, "daily"));
    }

    [Fact]
    public void AWeekAcrossTheYearEndIsOneWeeklyBucket()
    {
        var snapshots = Every(Day, Utc(2026, 12, 24, 6), Utc(2027, 1, 10, 6));

        var decision = RetentionRules.Apply(snapshots, Utc(2027, 1, 10, 7), Keep("3w 2y"));

        Assert.Equal([Utc(2026, 12, 24, 6), Utc(2026, 12, 28, 6), Utc(2027, 1, 4, 6)], KeptFor(decision, "weekly"));
        Assert.Equal([Utc(2026, 12, 24, 6), Utc(2027, 1, 1, 6)], KeptFor(decision, "yearly"));
    }

    [Fact]
    public void KeepMinimumKeepsEverySnapshotYoungerThanIt()
    {
        var snapshots = Every(TimeSpan.FromMinutes(15), Utc(2026, 12, 1), Utc(2026, 12, 4));

        var decision = RetentionRules.Apply(snapshots, Utc(2026, 12, 4), Keep("3d", "2d"));

        var young = snapshots.Where(snapshot => Utc(2026, 12, 4) - snapshot.Created < TimeSpan.FromDays(2)).Select(snapshot => snapshot.Created).ToList();
        Assert.Equal(young, KeptFor(decision, "keep_min"));
        Assert.Equal(young.Count + 1, decision.Keep.Count);
        Assert.All(decision.Prune, pruned => Assert.True(pruned.Created <= Utc(2026, 12, 2)));
    }

    [Fact]
    public void AStarKeepsTheFirstOfEveryBucket()
    {
        var snapshots = Every(Hour * 8, Utc(2020, 1, 1), Utc(2026, 12, 31));

        var decision = RetentionRules.Apply(snapshots, Utc(2027, 1, 1), Keep("*m"));

        Assert.Equal(7 * 12, KeptFor(decision, "monthly").Count);
        Assert.All(KeptFor(decision, "monthly"), kept => Assert.Equal((1, 0), (kept.Day, kept.Hour)));
    }

    [Fact]
    public void NothingKeptByIntervalLeavesOnlyTheNewest()
    {
        var snapshots = Every(Hour, Utc(2026, 12, 1), Utc(2026, 12, 2));

        var decision = RetentionRules.Apply(snapshots, Utc(2026, 12, 2, 1), Keep("no"));

        Assert.Equal([Utc(2026, 12, 2)], KeptTimes(decision));
        Assert.Empty(RetentionRules.Apply([], Utc(2026, 12, 2), Keep("24h")).Keep);
    }

    [Fact]
    public void ASnapshotFromTheFuturePausesPruningAndSaysWhy()
    {
        var snapshots = Every(Hour, Utc(2026, 12, 1), Utc(2026, 12, 3));
        var future = At(Utc(2026, 12, 9, 12));
        var now = Utc(2026, 12, 3, 0, 30);

        var decision = RetentionRules.Apply([.. snapshots, future], now, Keep("2h"));

        Assert.Empty(decision.Prune);
        Assert.Equal(snapshots.Count + 1, decision.Keep.Count);
        Assert.NotNull(decision.PausedBecause);
        Assert.Contains(future.Name, decision.PausedBecause);
        Assert.Contains("2026-12-09T12:00:00Z", decision.PausedBecause);
        Assert.Contains("2026-12-03T00:30:00Z", decision.PausedBecause);
        Assert.Contains("clock may have gone backwards", decision.PausedBecause);
        Assert.Contains("paused", decision.Keep[0].Reasons);
    }

    [Fact]
    public void ASnapshotLessThanAMinuteAheadOfTheClockPausesNothing()
    {
        var snapshots = Every(Hour, Utc(2026, 12, 1), Utc(2026, 12, 3));
        var now = Utc(2026, 12, 3) - TimeSpan.FromSeconds(50);

        var decision = RetentionRules.Apply(snapshots, now, Keep("2h"));

        Assert.Null(decision.PausedBecause);
        Assert.Equal(snapshots.Count - 2, decision.Prune.Count);
    }

    [Fact]
    public void AWeekOfDowntimePrunesNothingBeyondTheCounts()
    {
        var retention = Keep("24h 7d");
        var before = Every(Hour, Utc(2026, 12, 1), Utc(2026, 12, 10, 23));
        var settled = RetentionRules.Apply(before, Utc(2026, 12, 11), retention);
        var survivors = settled.Keep.Select(kept => new DatedSnapshot(kept.Name, kept.Created)).ToList();

        // A week later, with nothing taken meanwhile, time alone prunes nothing.
        var weekLater = RetentionRules.Apply(survivors, Utc(2026, 12, 18), retention);
        Assert.Empty(weekLater.Prune);

        // The first snapshot after the downtime prunes only the oldest daily: the hour it pushes out of the hourly counts stays as its day's daily.
        var back = At(Utc(2026, 12, 18, 0, 5));
        var afterReturn = RetentionRules.Apply([.. survivors, back], Utc(2026, 12, 18, 0, 6), retention);
        Assert.Equal([Utc(2026, 12, 4)], afterReturn.Prune.Select(pruned => pruned.Created).ToList());
        Assert.Equal(24, KeptFor(afterReturn, "hourly").Count);
        Assert.Equal(7, KeptFor(afterReturn, "daily").Count);
    }
}
