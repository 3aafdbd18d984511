using Subvol.Policies;

namespace Subvol.Tests.Policies;

/// <summary>Which automatic snapshots go to a target: those newer than the common base that the target's retention keeps, in order.</summary>
public sealed class TargetSeriesTests
{
    private static readonly DateTimeOffset Start = new(2028, 5, 1, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_target_away_for_a_day_gets_every_hourly_it_keeps_in_order_from_the_common_base()
    {
        var local = Hourly(25);
        var onTarget = new HashSet<Guid> { local[0].Guid };

        var series = TargetSeries.Select(local, onTarget, [local[0].Dated], Retention.Parse("24h", TimeSpan.FromMinutes(15)), Start.AddHours(24));

        Assert.Equal(local.Skip(1).Select(snapshot => snapshot.Name), series.Select(snapshot => snapshot.Name));
    }

    [Fact]
    public void Snapshots_the_target_would_prune_at_once_are_not_sent()
    {
        var local = Hourly(25);
        var onTarget = new HashSet<Guid> { local[0].Guid };

        var series = TargetSeries.Select(local, onTarget, [local[0].Dated], Retention.Parse("2h", TimeSpan.FromMinutes(15)), Start.AddHours(24));

        Assert.Equal(local.TakeLast(2).Select(snapshot => snapshot.Name), series.Select(snapshot => snapshot.Name));
    }

    [Fact]
    public void A_target_that_holds_the_newest_gets_nothing()
    {
        var local = Hourly(3);

        var series = TargetSeries.Select(local, local.Select(snapshot => snapshot.Guid).ToHashSet(), local.Select(snapshot => snapshot.Dated).ToList(), Retention.Parse("24h", TimeSpan.FromMinutes(15)), Start.AddHours(3));

        Assert.Empty(series);
    }

    [Fact]
    public void Manual_snapshots_are_a_base_but_never_sent()
    {
        var manual = new PolicySnapshot("before-upgrade", Guid.NewGuid(), Start.AddMinutes(30));
        var local = Hourly(3).Append(manual).OrderBy(snapshot => snapshot.Created).ToList();

        var series = TargetSeries.Select(local, new HashSet<Guid> { manual.Guid }, [], Retention.Parse("24h", TimeSpan.FromMinutes(15)), Start.AddHours(3));

        Assert.Equal(local.Where(snapshot => snapshot.IsAutomatic && snapshot.Created > manual.Created).Select(snapshot => snapshot.Name), series.Select(snapshot => snapshot.Name));
    }

    private static List<PolicySnapshot> Hourly(int count) =>
        Enumerable.Range(0, count)
            .Select(hour => Start.AddHours(hour))
            .Select(time => new PolicySnapshot(AutomaticSnapshotNames.Format(time, Interval.Hourly), Guid.NewGuid(), time))
            .ToList();
}
