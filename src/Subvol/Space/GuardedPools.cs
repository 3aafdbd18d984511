using Subvol.Errors;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Space;

/// <summary>What one pass of the guard did in each pool, the pools it guarded, and those it could not guard this time.</summary>
public sealed record GuardPass(IReadOnlyList<(string Pool, GuardAction Action)> Actions, IReadOnlyList<string> Guarded, IReadOnlyList<(string Pool, SubvolException Error)> Failures);

/// <summary>
/// The pools a guard watches, kept open from one pass to the next. A pool that cannot be opened or guarded (exported
/// meanwhile, its database damaged, its filesystem shut down after an error, as a full host can make it) is reported
/// and tried again at the next pass, while every other pool is still guarded: a guard that stopped at its first
/// failure would leave them all unwatched just when a host is filling.
/// </summary>
/// <param name="paths">The pools to guard, asked again at every pass, so that a pool imported or exported meanwhile is taken up or let go.</param>
public sealed class GuardedPools(Func<IReadOnlyList<string>> paths, PoolRegistry registry) : IDisposable
{
    private readonly Dictionary<string, Pool> _open = new(StringComparer.Ordinal);

    public GuardPass Pass(GuardThresholds thresholds, bool canHoldFreezes)
    {
        var actions = new List<(string Pool, GuardAction Action)>();
        var guarded = new List<string>();
        var failures = new List<(string Pool, SubvolException Error)>();
        var wanted = paths();
        foreach (var gone in _open.Keys.Except(wanted, StringComparer.Ordinal).ToList())
        {
            Close(gone);
        }

        foreach (var path in wanted)
        {
            try
            {
                if (!_open.TryGetValue(path, out var pool))
                {
                    pool = Pool.Open(path, registry);
                    _open[path] = pool;
                }

                actions.AddRange(pool.GuardOnce(thresholds, canHoldFreezes).Select(action => (pool.Path, action)));
                guarded.Add(path);
            }
            catch (Exception exception) when (exception is SubvolException or IOException or SystemCallException)
            {
                // Opened afresh next time: what failed may have been the pool's filesystem itself, now unmounted or repaired.
                Close(path);
                failures.Add((path, ErrorTranslation.Translate(exception, path)));
            }
        }

        return new GuardPass(actions, guarded, failures);
    }

    public void Dispose()
    {
        foreach (var pool in _open.Values)
        {
            pool.Dispose();
        }

        _open.Clear();
    }

    private void Close(string path)
    {
        if (_open.Remove(path, out var pool))
        {
            pool.Dispose();
        }
    }
}
