namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>A pool whose image is allocated on the host, as 'pool create' makes it, for the tests whose subject is space.</summary>
public sealed class AllocatedPoolFixture : PoolFixture
{
    protected override string PoolSize => "4G";

    protected override bool Sparse => false;
}
