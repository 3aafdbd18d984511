namespace Subvol.Accounting;

/// <summary>
/// One subvolume's figures for monitoring: its size, the bytes its image references, holds alone
/// (exclusive) and shares with its snapshots, how many snapshots it has and when the newest was taken.
/// </summary>
public sealed record VolumeGauges(string Name, long Size, long Referenced, long Exclusive, int Snapshots, DateTimeOffset? LastSnapshot)
{
    public long Shared => Referenced - Exclusive;

    /// <summary>How long the subvolume stayed frozen for its newest snapshot taken while it was mounted; null when none was.</summary>
    public TimeSpan? LastFreeze { get; init; }
}
