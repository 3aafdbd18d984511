namespace Subvol.Policies;

/// <summary>A target line while the file is read, with the retention lines that follow it in its section.</summary>
internal sealed class PolicyTargetSetting(string address, int line)
{
    public string Address { get; } = address;

    public int Line { get; } = line;

    public IReadOnlyDictionary<Interval, int>? Counts { get; set; }

    public TimeSpan? Minimum { get; set; }
}
