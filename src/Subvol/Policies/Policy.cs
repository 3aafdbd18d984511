using Subvol.Pools;

namespace Subvol.Policies;

/// <summary>
/// One section of the policy file, resolved through its templates: which subvolumes of which pool
/// it governs (<paramref name="PoolPath"/> null means the default pool), whether it takes and
/// prunes automatic snapshots, what it keeps locally and on each target, its hooks, and whether a
/// snapshot that a target has not received yet may be pruned.
/// </summary>
public sealed record Policy(string Section, int Line, string? PoolPath, string SubvolumePattern, bool TakeSnapshots, bool Prune,
    Retention Retention, IReadOnlyList<PolicyTarget> Targets, PolicyHooks Hooks, bool PruneUnreplicated)
{
    /// <summary>Whether the pattern names this subvolume: the exact name, or a glob with *, ? and [..] that matches it whole.</summary>
    public bool Matches(string subvolume) => GlobPattern.Matches(SubvolumePattern, subvolume);

    /// <summary>Whether this policy is about <paramref name="pool"/>; a policy without pool = is about the default pool.</summary>
    public bool IsAbout(string pool, string? defaultPool)
    {
        var own = PoolPath ?? defaultPool;
        return own is not null && PoolRegistry.Normalize(own) == PoolRegistry.Normalize(pool);
    }

    /// <summary>Whether this policy governs a subvolume of <paramref name="pool"/>, before asking whether an earlier one does.</summary>
    public bool Matches(string pool, string subvolume, string? defaultPool) => IsAbout(pool, defaultPool) && Matches(subvolume);
}
