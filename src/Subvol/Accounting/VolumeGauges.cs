namespace Subvol.Accounting;

/// <summary>
/// One subvolume's figures for monitoring: its size, the bytes its image references, holds alone
/// (exclusive) and shares with its snapshots, how many snapshots it has and when the newest was taken.
/// </summary>
public sealed record VolumeGauges(string Name, long Size, long Referenced, long Exclusive, int Snapshots, DateTimeOffset? LastSnapshot)
{
    public long Shared => Referenced - Exclusive;
}
