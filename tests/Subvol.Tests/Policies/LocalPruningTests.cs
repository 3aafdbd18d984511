using Subvol.Policies;

namespace Subvol.Tests.Policies;

/// <summary>Local pruning follows the retention, except where replication still needs a snapshot.</summary>
public sealed class LocalPruningTests
{
    private static readonly DateTimeOffset Start = new(2028, 5, 1, 0, 0, 0, TimeSpan.Zero);
    private const string Target = "ssh://backup@nas/srv/pool";

    [Fact]
    public void The_incremental_base_of_a_target_is_never_pruned_whatever_the_counts_say()
    {
        var local = Hourly(10);
        var policy = Policy("hourly = 2", pruneUnreplicated: true);

        var decision = LocalPruning.Decide(local, policy, new Dictionary<string, PolicySnapshot?> { [Target] = local[0] }, Start.AddHours(10));

        Assert.DoesNotContain(local[0], decision.Prune);
        Assert.Contains(decision.Spared, spared => spared.Snapshot == local[0] && spared.Reason.Contains(Target, StringComparison.Ordinal));
        Assert.Equal(local.Skip(1).Take(7), decision.Prune);
    }

    [Fact]
    public void Snapshots_a_target_has_not_received_but_will_keep_stay_unless_the_policy_allows_pruning_them()
    {
        var local = Hourly(10);
        var bases = new Dictionary<string, PolicySnapshot?> { [Target] = local[0] };

        var kept = LocalPruning.Decide(local, Policy("hourly = 2", pruneUnreplicated: false), bases, Start.AddHours(10));
        var pruned = LocalPruning.Decide(local, Policy("hourly = 2", pruneUnreplicated: true), bases, Start.AddHours(10));

        Assert.Empty(kept.Prune);
        Assert.Equal(8, kept.Spared.Count);
        Assert.Equal(7, pruned.Prune.Count);
    }

    [Fact]
    public void Manual_snapshots_never_enter_pruning()
    {
        var manual = new PolicySnapshot("before-upgrade", Guid.NewGuid(), Start.AddMinutes(5));
        var local = Hourly(10).Append(manual).OrderBy(snapshot => snapshot.Created).ToList();

        var decision = LocalPruning.Decide(local, Policy("hourly = 1", pruneUnreplicated: true), new Dictionary<string, PolicySnapshot?>(), Start.AddHours(10));

        Assert.DoesNotContain(manual, decision.Prune);
        Assert.Equal(9, decision.Prune.Count);
    }

    [Fact]
    public void A_snapshot_dated_in_the_future_pauses_pruning_and_says_why()
    {
        var local = Hourly(10);

        var decision = LocalPruning.Decide(local, Policy("hourly = 1", pruneUnreplicated: true), new Dictionary<string, PolicySnapshot?>(), Start.AddHours(2));

        Assert.Empty(decision.Prune);
        Assert.NotNull(decision.PausedBecause);
    }

    private static Subvol.Policies.Policy Policy(string keep, bool pruneUnreplicated)
    {
        var text = $"""
            [laptop]
            {keep}
            target = {Target}
            target_keep = 24h
            prune_unreplicated = {(pruneUnreplicated ? "yes" : "no")}
            """;
        return PolicyFile.Parse(text, "/etc/subvol/policy.conf").Policies.Single();
    }

    private static List<PolicySnapshot> Hourly(int count) =>
        Enumerable.Range(0, count)
            .Select(hour => Start.AddHours(hour))
            .Select(time => new PolicySnapshot(AutomaticSnapshotNames.Format(time, Interval.Hourly), Guid.NewGuid(), time))
            .ToList();
}
