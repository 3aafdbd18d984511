namespace Subvol.Policies;

/// <summary>
/// Which automatic snapshots of a subvolume the policy prunes on this machine. Manual snapshots never enter. The
/// retention's choice is narrowed so that replication never breaks: the newest snapshot every target holds (its
/// incremental base) stays, and, unless the policy allows pruning what is unreplicated, so does every newer snapshot
/// that a target's retention would keep and that the target has not received yet.
/// </summary>
internal static class LocalPruning
{
    public static LocalPruningDecision Decide(
        IReadOnlyList<PolicySnapshot> local, Policy policy, IReadOnlyDictionary<string, PolicySnapshot?> targetBases, DateTimeOffset now)
    {
        var automatic = local.Where(snapshot => snapshot.IsAutomatic).ToList();
        var decision = RetentionRules.Apply(automatic.Select(snapshot => snapshot.Dated).ToList(), now, policy.Retention);
        if (decision.PausedBecause is { } reason)
        {
            return new LocalPruningDecision([], [], reason);
        }

        var held = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (target, baseSnapshot) in targetBases)
        {
            if (baseSnapshot is not null)
            {
                held.TryAdd(baseSnapshot.Name, $"the incremental base of {target}");
            }

            if (policy.PruneUnreplicated)
            {
                continue;
            }

            var retention = policy.Targets.FirstOrDefault(candidate => candidate.Address == target)?.Retention ?? policy.Retention;
            var unsent = automatic.Where(snapshot => baseSnapshot is null || snapshot.Created > baseSnapshot.Created).ToList();
            var wanted = RetentionRules.Apply(unsent.Select(snapshot => snapshot.Dated).ToList(), now, retention).Keep;
            foreach (var snapshot in wanted)
            {
                held.TryAdd(snapshot.Name, $"not yet received by {target}");
            }
        }

        var prune = new List<PolicySnapshot>();
        var spared = new List<(PolicySnapshot Snapshot, string Reason)>();
        var byName = automatic.ToDictionary(snapshot => snapshot.Name, StringComparer.Ordinal);
        foreach (var candidate in decision.Prune)
        {
            var snapshot = byName[candidate.Name];
            if (held.TryGetValue(snapshot.Name, out var why))
            {
                spared.Add((snapshot, why));
            }
            else
            {
                prune.Add(snapshot);
            }
        }

        return new LocalPruningDecision(prune, spared, null);
    }
}
