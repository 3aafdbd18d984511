using Subvol.Replication;
using Subvol.Stream;

namespace Subvol.Tests.Replication;

public sealed class ReplicationPlannerTests
{
    private static readonly Guid A = Guid.NewGuid(), B = Guid.NewGuid(), C = Guid.NewGuid();

    [Fact]
    public void ADestinationWithoutTheSubvolumeGetsAFullStreamOfTheNewest()
    {
        var step = ReplicationPlanner.Plan([A, B, C], null, null);
        Assert.Equal(new ReplicationStep(ReplicationStepKind.Full, null, C, null), step);
    }

    [Fact]
    public void TheNewestCommonSnapshotIsTheBase()
    {
        var step = ReplicationPlanner.Plan([A, B, C], new HashSet<Guid> { A, B }, null);
        Assert.Equal(new ReplicationStep(ReplicationStepKind.Incremental, B, C, null), step);
    }

    [Fact]
    public void HoldingTheNewestMeansUpToDate()
    {
        Assert.Equal(ReplicationStepKind.UpToDate, ReplicationPlanner.Plan([A, B], new HashSet<Guid> { A, B }, null).Kind);
    }

    [Fact]
    public void AnInterruptedTransferOfASourceSnapshotIsResumedFirst()
    {
        var token = new ResumeToken(C, B, 4096, 1 << 20).Encode();
        var step = ReplicationPlanner.Plan([A, B, C], new HashSet<Guid> { A, B }, token);
        Assert.Equal(new ReplicationStep(ReplicationStepKind.Resume, B, C, token), step);
    }

    [Fact]
    public void AnInterruptedTransferWhoseBaseTheSourceDestroyedIsDiscardedNotResumed()
    {
        var token = new ResumeToken(C, B, 4096, 1 << 20).Encode();
        var step = ReplicationPlanner.Plan([A, C], new HashSet<Guid> { A, B }, token);
        Assert.Equal(new ReplicationStep(ReplicationStepKind.DiscardStale, B, C, token), step);
    }

    [Fact]
    public void ATokenForASnapshotTheSourceLacksIsNotResumed()
    {
        var token = new ResumeToken(Guid.NewGuid(), null, 4096, 1 << 20).Encode();
        Assert.Equal(ReplicationStepKind.Incremental, ReplicationPlanner.Plan([A, B], new HashSet<Guid> { A }, token).Kind);
    }

    [Fact]
    public void NoCommonSnapshotIsRefusedRatherThanOverwritten()
    {
        var exception = Assert.Throws<SubvolException>(() => ReplicationPlanner.Plan([A, B], new HashSet<Guid> { C }, null));
        Assert.Equal(SubvolErrorCode.StreamMismatch, exception.Code);
        Assert.Contains("no snapshot in common", exception.Message);
    }

    [Fact]
    public void ASubvolumeWithoutSnapshotsCannotBeReplicated()
    {
        Assert.Equal(SubvolErrorCode.NotFound, Assert.Throws<SubvolException>(() => ReplicationPlanner.Plan([], null, null)).Code);
    }
}
