using Subvol.Errors;
using Subvol.Pools;

namespace Subvol.Policies;

/// <summary>
/// One run of 'subvol auto': every subvolume that a policy of the file covers, pool by pool, gets what is due.
/// Each pool's automatic-run lock is held throughout, so a second run started meanwhile waits, then reads the
/// records afresh and finds nothing left to do. A dry run takes no lock and changes nothing. A cancelled
/// <c>cancellation</c> (a signal) stops the transfer under way between two records, or the run before its next step:
/// what was done is kept and recorded, and the rest, pruning on the targets too, waits for the next run.
/// </summary>
public static class AutomaticRun
{
    public static AutomaticRunReport Run(PolicyFile policies, string? defaultPool, AutomaticRunOptions options, Action<AutomaticAction>? report = null, CancellationToken cancellation = default)
    {
        var now = Clock.Now;
        var actions = new List<AutomaticAction>();
        var current = "";
        void Add(AutomaticAction action)
        {
            actions.Add(action);
            report?.Invoke(action);
        }

        foreach (var (poolPath, poolPolicies) in ByPool(policies, defaultPool))
        {
            if (cancellation.IsCancellationRequested)
            {
                break;
            }

            current = poolPath;
            Pool pool;
            try
            {
                pool = Pool.Open(poolPath);
            }
            catch (SubvolException exception)
            {
                Add(new AutomaticAction(AutomaticActionKind.PoolFailed, poolPath, "", Detail: exception.Message));
                continue;
            }

            using (pool)
            using (options.DryRun ? null : pool.AcquireAutomaticRunLock())
            {
                using var targets = new TargetConnections(pool.Path, options);
                var targetPruning = new TargetPruning();
                foreach (var (subvolume, policy) in Covered(pool, poolPolicies))
                {
                    if (cancellation.IsCancellationRequested)
                    {
                        break;
                    }

                    actions.AddRange(pool.RunPolicy(subvolume, policy, options, now, targets, targetPruning, report, cancellation));
                }

                if (!cancellation.IsCancellationRequested)
                {
                    targetPruning.Execute(pool.Path, targets, options, Add);
                }
            }
        }

        if (cancellation.IsCancellationRequested && (actions.Count == 0 || actions[^1].Kind != AutomaticActionKind.Interrupted))
        {
            Add(new AutomaticAction(AutomaticActionKind.Interrupted, current, "",
                Detail: "the run stopped after its current step; what it did is kept, and the rest waits for the next run"));
        }

        return new AutomaticRunReport(options.DryRun, actions);
    }

    /// <summary>The policies grouped by the pool they name, or the default pool, in the order the file first names each pool.</summary>
    /// <param name="defaultPool">The pool of policies that name none; null when every policy names its pool.</param>
    internal static IEnumerable<(string Pool, IReadOnlyList<Policy> Policies)> ByPool(PolicyFile policies, string? defaultPool) =>
        policies.Policies
            .GroupBy(policy => PoolRegistry.Normalize(policy.PoolPath ?? defaultPool
                ?? throw SubvolException.Invalid($"{policies.Path}:{policy.Line}: [{policy.Section}] names no pool and there is no default pool; add pool = PATH")), StringComparer.Ordinal)
            .Select(group => (group.Key, (IReadOnlyList<Policy>)group.ToList()));

    /// <summary>Each subvolume of the pool with the first policy that matches it; the file's order decides, as the policy check shows.</summary>
    internal static IEnumerable<(string Subvolume, Policy Policy)> Covered(Pool pool, IReadOnlyList<Policy> policies)
    {
        foreach (var subvolume in pool.SubvolumeNames().Order(StringComparer.Ordinal))
        {
            if (policies.FirstOrDefault(policy => policy.Matches(subvolume)) is { } policy)
            {
                yield return (subvolume, policy);
            }
        }
    }
}
