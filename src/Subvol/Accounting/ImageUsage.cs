
namespace Subvol.Accounting;

/// <summary>
/// The space one image accounts for: referenced (allocated in it), exclusive (referenced by no
/// other image of the pool, so destroying it frees this much) and shared (the rest).
/// </summary>
public sealed record ImageUsage(string Name, bool IsSnapshot, long Size, long Referenced, long Exclusive)
{
    public long Shared => Referenced - Exclusive;
}
