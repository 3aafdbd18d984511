namespace Subvol.Policies;

/// <summary>
/// The settings of one policy as its templates and then its own section lay them down, each layer
/// over the one before: a later keep string replaces every count before it, a count replaces its
/// own interval, a later target list replaces the one before.
/// </summary>
internal sealed class PolicySettings
{
    public Dictionary<Interval, int> Counts { get; set; } = [];

    public TimeSpan Minimum { get; set; } = TimeSpan.Zero;

    public TimeSpan FrequentPeriod { get; set; } = Retention.DefaultFrequentPeriod;

    public bool TakeSnapshots { get; set; } = true;

    public bool Prune { get; set; } = true;

    public bool PruneUnreplicated { get; set; }

    public string? Pool { get; set; }

    public List<PolicyTargetSetting> Targets { get; set; } = [];

    /// <summary>The counts that targets without their own take, when the file gives such a default.</summary>
    public IReadOnlyDictionary<Interval, int>? TargetCounts { get; set; }

    public TimeSpan? TargetMinimum { get; set; }

    public string? BeforeSnapshot { get; set; }

    public string? AfterSnapshot { get; set; }

    public TimeSpan HookTimeout { get; set; } = PolicyHooks.DefaultTimeout;
}
