
namespace Subvol.Accounting;

/// <summary>Per-image usage with pool totals, as 'subvol df' shows it.</summary>
public sealed record SpaceUsage(IReadOnlyList<ImageUsage> Images, long PoolSize, long PoolUsed, long PoolAvailable)
{
    /// <summary>Host bytes the images hold between them, each shared block counted once.</summary>
    public long Allocated { get; init; }
}
