using Subvol.Tests.Pools;

namespace Subvol.Tests.Space;

/// <summary>The capacity a pool reports for new thin subvolumes is exactly what admission accepts.</summary>
public sealed class CapacityTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private const long MiB = 1L << 20;

    private Pool Pool => fixture.Pool;

    [RootFact]
    public void AThinSubvolumeOfTheReportedCapacityIsAdmittedAndOneMiBMoreIsNot() =>
        CapacityAdmission.AdmitsExactlyTheReportedCapacity(Pool, Provisioning.Thin);

    [Fact]
    public void CapacityIsInWholeMiBOfWhatTheProvisioningMayUse()
    {
        var status = new PoolStatus("/pool", null, "xfs", 100 * MiB, 0, 0, 0, (5 * MiB) + 123, 0, 1, 0, 0, 0, null, 0, 0, (7 * MiB) - 1);

        Assert.Equal(5 * MiB, status.CapacityFor(Provisioning.Guaranteed));
        Assert.Equal(6 * MiB, status.CapacityFor(Provisioning.Thin));
    }
}
