using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol.Pools;

/// <summary>
/// A pool's space and contents, as 'subvol pool status' shows them. Available is what new
/// allocations may use: the host's free space less the guaranteed reservations and the slop.
/// Used is the host filesystem's (statfs), beside ImagesUsed, what Subvol's images hold (each
/// shared block once): the difference is metadata and anything else written there. Shortfall is
/// how much of the reservations other writers have taken; ThinAvailable is what thin subvolumes
/// may still promise under the overcommit ratio. ImageSparse is null for a pool on a directory.
/// </summary>
public sealed record PoolStatus(
    string Path,
    string? Image,
    string HostFileSystem,
    long Size,
    long Used,
    long Reserved,
    long Slop,
    long Available,
    long Provisioned,
    double Overcommit,
    int Subvolumes,
    int Snapshots,
    int Mounted,
    bool? ImageSparse,
    long Shortfall,
    long ImagesUsed,
    long ThinAvailable)
{
    /// <summary>
    /// The largest new subvolume of <paramref name="provisioning"/> that admission accepts now: the free space beyond the
    /// reservations for a guaranteed one, what the overcommit ratio still allows for a thin one, in whole MiB.
    /// </summary>
    public long CapacityFor(Provisioning provisioning) =>
        SubvolumeSizes.AtMost(provisioning == Provisioning.Guaranteed ? Available : ThinAvailable);
}
