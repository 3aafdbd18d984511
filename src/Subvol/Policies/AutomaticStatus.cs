using Subvol.Replication;

namespace Subvol.Policies;

/// <summary>What 'subvol auto status' shows: every covered subvolume's standing, without contacting any target.</summary>
public static class AutomaticStatus
{
    public static IReadOnlyList<PolicyStatus> Read(PolicyFile policies, string? defaultPool, DateTimeOffset now)
    {
        var statuses = new List<PolicyStatus>();
        foreach (var (poolPath, poolPolicies) in AutomaticRun.ByPool(policies, defaultPool))
        {
            using var pool = Pool.Open(poolPath);
            foreach (var (subvolume, policy) in AutomaticRun.Covered(pool, poolPolicies))
            {
                statuses.Add(Of(pool, subvolume, policy, now));
            }
        }

        return statuses;
    }

    private static PolicyStatus Of(Pool pool, string subvolume, Policy policy, DateTimeOffset now)
    {
        var local = pool.RecordedSnapshots(subvolume);
        var automatic = local.Where(snapshot => snapshot.IsAutomatic).OrderBy(snapshot => snapshot.Created).ToList();
        var last = automatic.LastOrDefault();
        var decision = RetentionRules.Apply(automatic.Select(snapshot => snapshot.Dated).ToList(), now, policy.Retention);
        var kept = decision.Keep
            .SelectMany(snapshot => snapshot.Reasons)
            .GroupBy(reason => reason, StringComparer.Ordinal)
            .ToDictionary(group => group.Key, group => group.Count(), StringComparer.Ordinal);
        var recorded = pool.ReplicationBases(subvolume);
        var targets = new List<TargetStatus>();
        foreach (var target in policy.Targets)
        {
            var address = DestinationAddress.Parse(target.Address).ToString();
            var entry = recorded.FirstOrDefault(candidate => candidate.Target == address);
            var baseSnapshot = entry is null ? null : local.FirstOrDefault(snapshot => snapshot.Guid == entry.Snapshot);
            var newer = automatic.Where(snapshot => baseSnapshot is null || snapshot.Created > baseSnapshot.Created).ToList();
            TimeSpan? behind = newer.Count == 0 ? TimeSpan.Zero : baseSnapshot is null ? null : newer[^1].Created - baseSnapshot.Created;
            targets.Add(new TargetStatus(address, entry?.SnapshotName, entry?.RecordedAt, newer.Count, behind));
        }

        return new PolicyStatus(
            pool.Path,
            subvolume,
            policy.Section,
            last?.Name,
            last?.Created,
            policy.TakeSnapshots ? SnapshotSchedule.NextDue(automatic.Select(snapshot => snapshot.Created).ToList(), now, policy.Retention) : null,
            automatic.Count,
            kept,
            targets);
    }
}
