namespace Subvol;

/// <summary>Everything 'subvol check' found, and whether the pool is consistent now.</summary>
public sealed record CheckReport(IReadOnlyList<Finding> Findings)
{
    /// <summary>An interrupted receive is state kept on purpose, for a resume; it does not make the pool inconsistent.</summary>
    public bool Consistent => Findings.All(finding => finding.Repaired || finding.Kind == FindingKind.PartialReceive);
}
