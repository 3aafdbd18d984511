using Subvol.Accounting;

namespace Subvol;

public sealed partial class Pool
{
    private UsageReport Accounting => new(_session);

    /// <summary>Referenced, exclusive and shared bytes of every subvolume and snapshot, from their extent maps.</summary>
    public SpaceUsage Usage() => Accounting.Usage();

    // The subvolume listing and the pool's status read these.
    private Dictionary<string, long> ExclusiveBytes() => Accounting.ExclusiveBytes();

    private (List<(string Name, bool IsSnapshot, long Size, string Path)> Present, Dictionary<string, (long Referenced, long Exclusive)> PerImage, long Allocated) Sharing() =>
        Accounting.Sharing();
}
