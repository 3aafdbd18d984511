namespace Subvol.Policies;

/// <summary>The intervals a policy snapshots and keeps by, finest first; the order is the one comparisons use.</summary>
public enum Interval
{
    Frequent,
    Hourly,
    Daily,
    Weekly,
    Monthly,
    Yearly,
}
