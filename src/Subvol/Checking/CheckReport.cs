namespace Subvol;

/// <summary>Everything 'subvol check' found, and whether the pool is consistent now.</summary>
public sealed record CheckReport(IReadOnlyList<Finding> Findings)
{
    public bool Consistent => Findings.All(finding => finding.Repaired);
}
