using Subvol.Errors;

namespace Subvol.Pools;

/// <summary>
/// Chooses the pool a command works on: a pool named on the command, else one named by the environment, else the machine's default
/// pool, else the only pool the machine knows. Anything else is ambiguous and refused.
/// </summary>
public static class PoolLocator
{
    public static string Resolve(string? explicitPool, string? environmentPool, IReadOnlyList<KnownPool> knownPools, string? defaultPool = null)
    {
        if (!string.IsNullOrEmpty(explicitPool))
        {
            return PoolRegistry.Normalize(explicitPool);
        }

        if (!string.IsNullOrEmpty(environmentPool))
        {
            return PoolRegistry.Normalize(environmentPool);
        }

        if (!string.IsNullOrEmpty(defaultPool))
        {
            return PoolRegistry.Normalize(defaultPool);
        }

        return knownPools.Count switch
        {
            1 => knownPools[0].Path,
            0 => throw SubvolException.NotFound("no pool given and this machine knows none", new Remedy.AnyOf([new Remedy.CreatePool(null), new Remedy.ChoosePool([])])),
            _ => throw SubvolException.Invalid(
                $"this machine knows {knownPools.Count} pools ({string.Join(", ", knownPools.Select(pool => pool.Path))})", new Remedy.ChoosePool([.. knownPools.Select(pool => pool.Path)])),
        };
    }
}
