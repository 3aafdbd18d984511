using Subvol.Tests.Pools;

namespace Subvol.Tests.Snapshots;

/// <summary>A clone of a subvolume goes through a snapshot of it, which never outlives the clone, even across a crash.</summary>
public sealed class CloneSubvolumeTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private const long Size = 16L << 20;
    private const string Creator = "tester";

    private Pool Pool => fixture.Pool;

    [RootFact]
    public void ACloneOfASubvolumeHasItsSizeAndCreatorAndLeavesNoSnapshotBehind()
    {
        Pool.CreateSubvolume("clean-origin", Size, FileSystemKind.Ext4, Provisioning.Thin);

        var clone = Pool.CloneSubvolume("clean-origin", "clean-copy", Provisioning.Thin, Creator);

        Assert.Equal(Outcome.Created, clone.Outcome);
        var copy = Pool.GetSubvolume("clean-copy");
        Assert.Equal(Size, copy.Size);
        Assert.Equal(FileSystemKind.Ext4, copy.FileSystem);
        Assert.Equal(Creator, copy.Creator);
        Assert.NotNull(copy.OriginSnapshot);
        Assert.Empty(Pool.FindSnapshots("clean-origin"));
    }

    [RootFact]
    public void ARetryAfterACrashBeforeTheCloneReusesTheSnapshotTheFirstAttemptTook()
    {
        Pool.CreateSubvolume("early-origin", Size, FileSystemKind.Ext4, Provisioning.Thin);
        var leftover = Pool.CreateSnapshot("early-origin", CloneSnapshotNames.For("early-copy"), Creator);

        var clone = Pool.CloneSubvolume("early-origin", "early-copy", Provisioning.Thin, Creator);

        Assert.Equal(Outcome.Created, clone.Outcome);
        Assert.Equal(leftover.Guid, Pool.GetSubvolume("early-copy").OriginSnapshot);
        Assert.Empty(Pool.FindSnapshots("early-origin"));
    }

    [RootFact]
    public void ARetryAfterACrashAfterTheCloneRemovesTheSnapshotAndKeepsTheClone()
    {
        Pool.CreateSubvolume("late-origin", Size, FileSystemKind.Ext4, Provisioning.Thin);
        var leftover = Pool.CreateSnapshot("late-origin", CloneSnapshotNames.For("late-copy"), Creator);
        var made = Pool.CloneSnapshot(new SnapshotReference("late-origin", leftover.Name), "late-copy", Provisioning.Thin, Creator).Value;

        var again = Pool.CloneSubvolume("late-origin", "late-copy", Provisioning.Thin, Creator);

        Assert.Equal(Outcome.AlreadyExisted, again.Outcome);
        Assert.Equal(made.Guid, again.Value.Guid);
        Assert.Empty(Pool.FindSnapshots("late-origin"));
    }

    [RootFact]
    public void ANameTakenByAnotherSubvolumeIsRefusedWithoutTakingASnapshot()
    {
        Pool.CreateSubvolume("taken-origin", Size, FileSystemKind.Ext4, Provisioning.Thin);
        Pool.CreateSubvolume("taken-copy", Size, FileSystemKind.Ext4, Provisioning.Thin);

        var exception = Assert.Throws<SubvolException>(() => Pool.CloneSubvolume("taken-origin", "taken-copy", Provisioning.Thin, Creator));

        Assert.Equal(SubvolErrorCode.AlreadyExists, exception.Code);
        Assert.Empty(Pool.FindSnapshots("taken-origin"));
        Assert.Null(Pool.GetSubvolume("taken-copy").OriginSnapshot);
    }

    [RootFact]
    public void AMissingSourceIsNotFound()
    {
        var exception = Assert.Throws<SubvolException>(() => Pool.CloneSubvolume("nowhere", "nowhere-copy", Provisioning.Thin, Creator));

        Assert.Equal(SubvolErrorCode.NotFound, exception.Code);
        Assert.Null(Pool.FindSubvolume("nowhere-copy"));
    }

    [RootFact]
    public void ACloneThatAdmissionRefusesRemovesTheSnapshotItWentThrough()
    {
        // A thin source larger than the pool's free space: its snapshot costs nothing, a guaranteed clone of it all of its size.
        Pool.SetOvercommit(3);
        Pool.CreateSubvolume("large-origin", 2 * FileBackedPool.Size, FileSystemKind.Ext4, Provisioning.Thin);
        try
        {
            var exception = Assert.Throws<SubvolException>(() => Pool.CloneSubvolume("large-origin", "large-copy", Provisioning.Guaranteed, Creator));

            Assert.Equal(SubvolErrorCode.NoSpace, exception.Code);
            Assert.Null(Pool.FindSubvolume("large-copy"));
            Assert.Empty(Pool.FindSnapshots("large-origin"));
        }
        finally
        {
            Pool.DeleteSubvolume("large-origin", recursive: true);
        }
    }
}
