using Subvol.Tests.Pools;

namespace Subvol.Tests.Snapshots;

/// <summary>A group snapshot is recorded under its name: repeatable, found again after the pool is reopened, and destroyed whole or member by member.</summary>
public sealed class SnapshotGroupTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private const long Size = 16L << 20;
    private const string Creator = "tester";

    private Pool Pool => fixture.Pool;

    [RootFact]
    public void AGroupTakesEveryMemberAtOneTimeAndARepeatReturnsItWithoutTakingMore()
    {
        Create("once-data", "once-log");

        var first = Pool.EnsureSnapshotGroup("once", ["once-log", "once-data"], Creator);
        var again = Pool.EnsureSnapshotGroup("once", ["once-data", "once-log"], Creator);

        Assert.Equal(Outcome.Created, first.Outcome);
        Assert.Equal(Outcome.AlreadyExisted, again.Outcome);
        Assert.Equal(["once-data@once", "once-log@once"], first.Value.Snapshots.Select(snapshot => snapshot.FullName));
        Assert.All(first.Value.Snapshots, snapshot => Assert.Equal(first.Value.Created, snapshot.Created));
        Assert.All(first.Value.Snapshots, snapshot => Assert.Equal("once", snapshot.Group));
        Assert.Equal(first.Value.Created, again.Value.Created);
        Assert.Equal(first.Value.Snapshots.Select(snapshot => snapshot.Guid), again.Value.Snapshots.Select(snapshot => snapshot.Guid));
        Assert.Single(Pool.FindSnapshots("once-data"));
    }

    [RootFact]
    public void TheNameOfAGroupOfOtherSubvolumesIsAlreadyExistsAndTakesNothing()
    {
        Create("other-a", "other-b", "other-c");
        Pool.EnsureSnapshotGroup("other", ["other-a", "other-b"], Creator);

        var refused = Assert.Throws<SubvolException>(() => Pool.EnsureSnapshotGroup("other", ["other-a", "other-c"], Creator));

        Assert.Equal(SubvolErrorCode.AlreadyExists, refused.Code);
        Assert.Contains("'other-a', 'other-b'", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Pool.FindSnapshots("other-c"));
    }

    [RootFact]
    public void AGroupTakenByAnotherCreatorIsNotAdopted()
    {
        Create("adopt-a");
        Pool.EnsureSnapshotGroup("adopt", ["adopt-a"], creator: null);

        var refused = Assert.Throws<SubvolException>(() => Pool.EnsureSnapshotGroup("adopt", ["adopt-a"], Creator));

        Assert.Equal(SubvolErrorCode.AlreadyExists, refused.Code);
    }

    [RootFact]
    public void EverySubvolumeThePoolLacksIsNamedAndNothingIsTaken()
    {
        Create("lack-a");

        var refused = Assert.Throws<SubvolException>(() => Pool.EnsureSnapshotGroup("lack", ["lack-a", "lack-b", "lack-c"], Creator));

        Assert.Equal(SubvolErrorCode.NotFound, refused.Code);
        Assert.Contains("'lack-b', 'lack-c'", refused.Message, StringComparison.Ordinal);
        Assert.Empty(Pool.FindSnapshots("lack-a"));
        Assert.Null(Pool.FindSnapshotGroup("lack"));
    }

    [RootFact]
    public void AGroupIsFoundAgainWhenThePoolIsOpenedAgain()
    {
        Create("reopen-a", "reopen-b");
        var taken = Pool.EnsureSnapshotGroup("reopen", ["reopen-a", "reopen-b"], Creator).Value;

        using var reopened = Pool.Open(Pool.Path);
        var found = reopened.FindSnapshotGroup("reopen");

        Assert.NotNull(found);
        Assert.Equal(taken.Created, found.Created);
        Assert.Equal(Creator, found.Creator);
        Assert.Equal(["reopen-a", "reopen-b"], found.Subvolumes);
        Assert.Equal(taken.Snapshots.Select(snapshot => snapshot.Guid), found.Snapshots.Select(snapshot => snapshot.Guid));
    }

    [RootFact]
    public void AMemberDestroyedAloneLeavesTheGroupWithTheOthersAndTheLastTakesTheGroup()
    {
        Create("alone-a", "alone-b");
        Pool.EnsureSnapshotGroup("alone", ["alone-a", "alone-b"], Creator);

        Pool.DestroySnapshot(new SnapshotReference("alone-a", "alone"));

        Assert.Equal(["alone-b@alone"], Pool.FindSnapshotGroup("alone")!.Snapshots.Select(snapshot => snapshot.FullName));
        // The list the group was taken with stays valid, its destroyed member included.
        Assert.NotNull(Pool.FindSnapshotGroup("alone", [new SnapshotReference("alone-a", "alone"), new SnapshotReference("alone-b", "alone")]));

        Pool.DestroySnapshot(new SnapshotReference("alone-b", "alone"));

        Assert.Null(Pool.FindSnapshotGroup("alone"));
    }

    [RootFact]
    public void DestroyingTheGroupDestroysEveryMemberAndASecondDestroyFindsItGone()
    {
        Create("whole-a", "whole-b");
        Pool.EnsureSnapshotGroup("whole", ["whole-a", "whole-b"], Creator);

        var first = Pool.DestroySnapshotGroup("whole", [new SnapshotReference("whole-a", "whole"), new SnapshotReference("whole-b", "whole")]);
        var second = Pool.DestroySnapshotGroup("whole");

        Assert.Equal(Outcome.Deleted, first);
        Assert.Equal(Outcome.AlreadyGone, second);
        Assert.Empty(Pool.FindSnapshots("whole-a"));
        Assert.Empty(Pool.FindSnapshots("whole-b"));
        Assert.Null(Pool.FindSnapshotGroup("whole"));
    }

    [RootFact]
    public void AGroupWhoseRecordIsLostStillDestroysTheMembersItsListNamesAndNothingElse()
    {
        Create("lost-a", "lost-b");
        Pool.EnsureSnapshotGroup("lost", ["lost-a", "lost-b"], Creator);
        Pool.CreateSnapshot("lost-a", "other", Creator);
        // What a database rebuilt from the images holds: the members, without their group.
        Pool.Database.DeleteSnapshotGroup(Pool.Database.FindSnapshotGroup("lost")!.Id);

        var outcome = Pool.DestroySnapshotGroup("lost", [new SnapshotReference("lost-a", "lost"), new SnapshotReference("lost-b", "lost"), new SnapshotReference("lost-a", "other")]);

        Assert.Equal(Outcome.Deleted, outcome);
        Assert.Equal(["lost-a@other"], Pool.FindSnapshots("lost-a").Select(snapshot => snapshot.FullName));
        Assert.Empty(Pool.FindSnapshots("lost-b"));
        Assert.Equal(Outcome.AlreadyGone, Pool.DestroySnapshotGroup("lost", [new SnapshotReference("lost-a", "lost")]));
    }

    [RootFact]
    public void AListOfSnapshotsThatDisagreesWithTheGroupIsInvalidAndDestroysNothing()
    {
        Create("list-a", "list-b");
        Pool.EnsureSnapshotGroup("list", ["list-a", "list-b"], Creator);

        var leftOut = Assert.Throws<SubvolException>(() => Pool.DestroySnapshotGroup("list", [new SnapshotReference("list-a", "list")]));
        var stranger = Assert.Throws<SubvolException>(() => Pool.FindSnapshotGroup("list", [new SnapshotReference("list-a", "list"), new SnapshotReference("list-a", "other")]));

        Assert.Equal(SubvolErrorCode.InvalidArgument, leftOut.Code);
        Assert.Contains("'list-b@list' is left out", leftOut.Message, StringComparison.Ordinal);
        Assert.Equal(SubvolErrorCode.InvalidArgument, stranger.Code);
        Assert.Contains("'list-a@other' is not in it", stranger.Message, StringComparison.Ordinal);
        Assert.Equal(2, Pool.FindSnapshotGroup("list")!.Snapshots.Count);
    }

    [RootFact]
    public void AMountedMemberRecordsHowLongItStayedFrozenAndAnUnmountedOneNone()
    {
        Create("freeze-mounted", "freeze-idle");
        Pool.Mount("freeze-mounted", at: null);
        try
        {
            var group = Pool.EnsureSnapshotGroup("freeze", ["freeze-mounted", "freeze-idle"], Creator).Value;

            Assert.True(group.Snapshots.Single(snapshot => snapshot.Subvolume == "freeze-mounted").Frozen > TimeSpan.Zero);
            Assert.Null(group.Snapshots.Single(snapshot => snapshot.Subvolume == "freeze-idle").Frozen);
        }
        finally
        {
            Pool.Unmount("freeze-mounted");
        }
    }

    private void Create(params string[] names)
    {
        foreach (var name in names)
        {
            Pool.CreateSubvolume(name, Size, FileSystemKind.Ext4, Provisioning.Thin);
        }
    }
}
