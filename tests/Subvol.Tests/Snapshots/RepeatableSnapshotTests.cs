using Subvol.Tests.Pools;

namespace Subvol.Tests.Snapshots;

/// <summary>A snapshot request may be repeated: the same request returns the same snapshot, a different one is AlreadyExists.</summary>
public sealed class RepeatableSnapshotTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private const long Size = 16L << 20;
    private const string Creator = "tester";

    private Pool Pool => fixture.Pool;

    [RootFact]
    public void ARepeatedRequestReturnsTheSnapshotTheFirstOneTook()
    {
        Pool.CreateSubvolume("repeated", Size, FileSystemKind.Ext4, Provisioning.Thin);

        var first = Pool.EnsureSnapshot("repeated", "once", Creator);
        var again = Pool.EnsureSnapshot("repeated", "once", Creator);

        Assert.Equal(Outcome.Created, first.Outcome);
        Assert.Equal(Outcome.AlreadyExisted, again.Outcome);
        Assert.Equal(first.Value.Guid, again.Value.Guid);
        Assert.Equal(first.Value.Created, again.Value.Created);
        Assert.Equal(Creator, again.Value.Creator);
        Assert.Single(Pool.FindSnapshots("repeated"));
    }

    [RootFact]
    public void TheNameOfASnapshotOfAnotherSubvolumeIsAlreadyExists()
    {
        Pool.CreateSubvolume("first-source", Size, FileSystemKind.Ext4, Provisioning.Thin);
        Pool.CreateSubvolume("second-source", Size, FileSystemKind.Ext4, Provisioning.Thin);
        Pool.EnsureSnapshot("first-source", "shared-name", Creator);

        var exception = Assert.Throws<SubvolException>(() => Pool.EnsureSnapshot("second-source", "shared-name", Creator));

        Assert.Equal(SubvolErrorCode.AlreadyExists, exception.Code);
        Assert.Contains("first-source", exception.Message);
        Assert.Empty(Pool.FindSnapshots("second-source"));
    }

    [RootFact]
    public void ASnapshotTakenByAnotherCreatorIsNotAdopted()
    {
        Pool.CreateSubvolume("by-hand", Size, FileSystemKind.Ext4, Provisioning.Thin);
        var byHand = Pool.CreateSnapshot("by-hand", "manual");

        var exception = Assert.Throws<SubvolException>(() => Pool.EnsureSnapshot("by-hand", "manual", Creator));

        Assert.Equal(SubvolErrorCode.AlreadyExists, exception.Code);
        Assert.Null(Pool.FindSnapshots("by-hand", "manual").Single().Creator);
        Assert.Equal(Outcome.AlreadyExisted, Pool.EnsureSnapshot("by-hand", "manual").Outcome);
        Assert.Equal(byHand.Guid, Pool.FindSnapshots("by-hand", "manual").Single().Guid);
    }

    [RootFact]
    public void ASnapshotOfAMissingSubvolumeIsNotFound()
    {
        var exception = Assert.Throws<SubvolException>(() => Pool.EnsureSnapshot("absent", "never", Creator));

        Assert.Equal(SubvolErrorCode.NotFound, exception.Code);
        Assert.Empty(Pool.FindSnapshots(snapshot: "never"));
    }
}
