using Subvol.Cli.Tests.Replication;

namespace Subvol.Cli.Tests.ReplicateVerb;

/// <summary>
/// A source and a destination pool for the tests of replicate, which make guaranteed subvolumes
/// (the default provisioning): as large as a single test pool, for their reservations.
/// </summary>
public sealed class ReplicatePools : ReplicationPools
{
    protected override string PoolSize => "16G";
}
