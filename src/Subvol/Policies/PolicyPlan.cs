using Subvol.Errors;
using Subvol.Pools;

namespace Subvol.Policies;

/// <summary>What a policy file implies for the pools as they are: which policy governs which subvolume (the first in the file that matches it).</summary>
public sealed record PolicyPlan(PolicyFile File, IReadOnlyList<PlannedPolicy> Policies)
{
    /// <summary>
    /// Matches every policy against the subvolumes of its pool. <paramref name="defaultPool"/> chooses
    /// the pool of policies without pool = and <paramref name="subvolumesOf"/> lists a pool's
    /// subvolumes; either may fail, which the plan records for the policies concerned.
    /// </summary>
    public static PolicyPlan Build(PolicyFile file, Func<string> defaultPool, Func<string, IReadOnlyList<string>> subvolumesOf)
    {
        string? chosenDefault = null;
        SubvolException? defaultProblem = null;
        if (file.Policies.Any(policy => policy.PoolPath is null))
        {
            try
            {
                chosenDefault = PoolRegistry.Normalize(defaultPool());
            }
            catch (Exception exception)
            {
                defaultProblem = ErrorTranslation.Translate(exception);
            }
        }

        var listings = new Dictionary<string, (IReadOnlyList<string> Subvolumes, SubvolException? Problem)>(StringComparer.Ordinal);
        var planned = new List<PlannedPolicy>();
        foreach (var policy in file.Policies)
        {
            var pool = policy.PoolPath ?? chosenDefault;
            if (pool is null)
            {
                planned.Add(new PlannedPolicy(policy, null, defaultProblem, [], []));
                continue;
            }

            if (!listings.TryGetValue(pool, out var listing))
            {
                listing = List(pool, subvolumesOf);
                listings[pool] = listing;
            }

            var governed = new List<string>();
            var shadowed = new List<ShadowedMatch>();
            foreach (var subvolume in listing.Subvolumes.Where(policy.Matches))
            {
                var governor = file.For(pool, subvolume, chosenDefault);
                if (ReferenceEquals(governor, policy))
                {
                    governed.Add(subvolume);
                }
                else if (governor is not null)
                {
                    shadowed.Add(new ShadowedMatch(subvolume, governor));
                }
            }

            planned.Add(new PlannedPolicy(policy, pool, listing.Problem, governed, shadowed));
        }

        return new PolicyPlan(file, planned);
    }

    private static (IReadOnlyList<string>, SubvolException?) List(string pool, Func<string, IReadOnlyList<string>> subvolumesOf)
    {
        try
        {
            return (subvolumesOf(pool).Order(StringComparer.Ordinal).ToList(), null);
        }
        catch (Exception exception)
        {
            return ([], ErrorTranslation.Translate(exception));
        }
    }
}
