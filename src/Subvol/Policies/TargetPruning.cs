using Subvol.Errors;
using Subvol.Names;
using Subvol.Replication;

namespace Subvol.Policies;

/// <summary>
/// The snapshots a run prunes on its targets, gathered over every subvolume of a pool and destroyed in one batch per
/// target at the end, so that pruning a thousand snapshots on a backup host costs one connection, not a thousand.
/// </summary>
internal sealed class TargetPruning
{
    private readonly Dictionary<string, (DestinationAddress Address, List<(string Subvolume, string Snapshot)> Snapshots)> _byTarget = new(StringComparer.Ordinal);

    public void Add(DestinationAddress address, string subvolume, IEnumerable<string> snapshots)
    {
        var key = address.ToString();
        if (!_byTarget.TryGetValue(key, out var entry))
        {
            entry = (address, []);
            _byTarget[key] = entry;
        }

        entry.Snapshots.AddRange(snapshots.Select(snapshot => (subvolume, snapshot)));
    }

    /// <summary>Destroys what was gathered, one batch per target; a target that fails is reported, and the others are still pruned.</summary>
    public void Execute(string pool, TargetConnections targets, AutomaticRunOptions options, Action<AutomaticAction> add)
    {
        foreach (var (target, (address, snapshots)) in _byTarget)
        {
            if (snapshots.Count == 0)
            {
                continue;
            }

            if (!options.DryRun)
            {
                try
                {
                    targets.Open(address).Destroy(snapshots.Select(snapshot => new SnapshotReference(snapshot.Subvolume, snapshot.Snapshot)).ToList());
                }
                catch (Exception exception) when (StepFailure.Is(exception))
                {
                    add(new AutomaticAction(AutomaticActionKind.TargetFailed, pool, snapshots[0].Subvolume, Target: target, Detail: $"pruning failed: {StepFailure.Describe(exception)}"));
                    continue;
                }
            }

            foreach (var (subvolume, snapshot) in snapshots)
            {
                add(new AutomaticAction(AutomaticActionKind.PrunedOnTarget, pool, subvolume, snapshot, target));
            }
        }
    }
}
