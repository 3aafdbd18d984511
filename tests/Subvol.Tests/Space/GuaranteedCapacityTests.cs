using Subvol.Tests.Pools;

namespace Subvol.Tests.Space;

/// <summary>
/// The capacity a pool reports for new guaranteed subvolumes is exactly what admission accepts. The pool
/// is this class's alone: XFS returns the blocks of a deleted image in the background, so free space
/// measured soon after another test's delete can still grow.
/// </summary>
public sealed class GuaranteedCapacityTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    [RootFact]
    public void AGuaranteedSubvolumeOfTheReportedCapacityIsAdmittedAndOneMiBMoreIsNot() =>
        CapacityAdmission.AdmitsExactlyTheReportedCapacity(fixture.Pool, Provisioning.Guaranteed);
}
