using Subvol.Replication;

namespace Subvol.Checking;

/// <summary>Everything 'subvol check' found, and whether the pool is consistent now.</summary>
public sealed record CheckReport(IReadOnlyList<Finding> Findings)
{
    /// <summary>
    /// An interrupted receive is state kept on purpose, for a resume; files Subvol did not write and a
    /// shortfall are other writers' use of the host. None of them makes the pool's own state inconsistent.
    /// </summary>
    public bool Consistent => Findings.All(finding => finding.Repaired || finding.Kind is FindingKind.PartialReceive or FindingKind.ForeignFile or FindingKind.Shortfall);
}
