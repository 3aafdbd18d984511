using System.Runtime.Versioning;
using Subvol.Tests.Pools;

namespace Subvol.Tests.Checking;

/// <summary>Crafts each inconsistent state a crash can leave and proves check finds it and repair ends it.</summary>
[SupportedOSPlatform("linux")]
public sealed class ConsistencyCheckTests : IDisposable
{
    private const long Size = 16L << 20;
    private readonly TemporaryPool _pool = new();

    public void Dispose() => _pool.Dispose();

    private Pool Pool => _pool.Pool;

    private string PoolFile(params string[] parts) => Path.Combine([_pool.Root, .. parts]);

    [Fact]
    public void AFreshPoolIsConsistent()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        var report = Pool.Check(repair: false);
        Assert.Empty(report.Findings);
        Assert.True(report.Consistent);
    }

    [Fact]
    public void APartialImageFromAnInterruptedOperationIsRemoved()
    {
        var partial = PoolFile("incoming", Guid.NewGuid().ToString("N") + ".partial");
        WriteLeftover(partial, "half");

        AssertFoundThenRepaired(FindingKind.PartialImage);
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void AnImageWithoutARecordIsAnOrphanAndIsRemoved()
    {
        WriteLeftover(PoolFile("subvolumes", "ghost.img"), "x");

        AssertFoundThenRepaired(FindingKind.OrphanImage);
        Assert.False(File.Exists(PoolFile("subvolumes", "ghost.img")));
    }

    [Fact]
    public void AnImageWithoutARecordOrAnIdentityIsReportedAndKept()
    {
        // Every image the pool makes carries an identity before it is published, so this one may be someone's only copy.
        File.WriteAllText(PoolFile("subvolumes", "stranger.img"), "precious");
        File.SetUnixFileMode(PoolFile("subvolumes", "stranger.img"), UnixFileMode.UserRead | UnixFileMode.UserWrite);

        var report = Pool.Check(repair: true);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.OrphanImage, finding.Kind);
        Assert.False(finding.Repairable);
        Assert.False(finding.Repaired);
        Assert.Equal("precious", File.ReadAllText(PoolFile("subvolumes", "stranger.img")));
    }

    [Fact]
    public void AnImageWhoseIdentityIsOfAnotherKindOrGuidIsReportedAndKept()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        var home = IdentityAttribute.Read(PoolFile("subvolumes", "home.img"))!;
        File.WriteAllText(PoolFile("subvolumes", "twin.img"), "a copy");
        IdentityAttribute.Write(PoolFile("subvolumes", "twin.img"), home);
        File.WriteAllText(PoolFile("subvolumes", "misplaced.img"), "a snapshot");
        IdentityAttribute.Write(PoolFile("subvolumes", "misplaced.img"), home with { Guid = Guid.NewGuid(), Kind = Subvol.Metadata.ImageKind.Snapshot, Parent = home.Guid });

        var report = Pool.Check(repair: true);

        Assert.Equal(2, report.Findings.Count(finding => finding.Kind == FindingKind.OrphanImage && !finding.Repairable));
        Assert.Contains(report.Findings, finding => finding.Message.Contains("belongs to another image"));
        Assert.Contains(report.Findings, finding => finding.Message.Contains("says it is a snapshot"));
        Assert.True(File.Exists(PoolFile("subvolumes", "twin.img")));
        Assert.True(File.Exists(PoolFile("subvolumes", "misplaced.img")));
    }

    [Fact]
    public void ASnapshotImageWithoutARecordIsAnOrphanAndIsRemoved()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        CreateLeftoverDirectory(PoolFile("snapshots", "home"));
        WriteLeftover(PoolFile("snapshots", "home", "lost.img"), "x");

        AssertFoundThenRepaired(FindingKind.OrphanImage);
        Assert.False(File.Exists(PoolFile("snapshots", "home", "lost.img")));
    }

    [Fact]
    public void ASnapshotRecordWithoutAnImageIsForgotten()
    {
        var subvolume = Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4).Value;
        Pool.Database.InsertSnapshot(Pool.Database.FindSubvolume("home")!, "gone", Guid.NewGuid(), subvolume.Size, subvolume.FileSystem, DateTimeOffset.UtcNow);

        AssertFoundThenRepaired(FindingKind.MissingImage);
        Assert.Empty(Pool.ListSnapshots("home"));
    }

    [Fact]
    public void ASubvolumeWithoutImageOrSnapshotsIsForgotten()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        File.Delete(PoolFile("subvolumes", "home.img"));

        AssertFoundThenRepaired(FindingKind.MissingImage);
        Assert.Empty(Pool.ListSubvolumes());
    }

    [Fact]
    public void ASubvolumeWithoutImageButWithSnapshotsIsLeftToThePersonWithTheRollbackHint()
    {
        var subvolume = Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4).Value;
        Pool.Database.InsertSnapshot(Pool.Database.FindSubvolume("home")!, "daily", Guid.NewGuid(), subvolume.Size, subvolume.FileSystem, DateTimeOffset.UtcNow);
        CreateLeftoverDirectory(PoolFile("snapshots", "home"));
        WriteLeftover(PoolFile("snapshots", "home", "daily.img"), "x");
        File.Delete(PoolFile("subvolumes", "home.img"));

        var report = Pool.Check(repair: true);

        var finding = Assert.Single(report.Findings, finding => finding.Kind == FindingKind.MissingImage);
        Assert.False(finding.Repaired);
        Assert.Equal(new Remedy.Rollback(Pool.Path, "home"), finding.Remedy);
        Assert.False(report.Consistent);
        Assert.Single(Pool.ListSubvolumes());
    }

    [Fact]
    public void ASizeThatDiffersFromTheImageIsTakenFromTheImage()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        using (var stream = new FileStream(PoolFile("subvolumes", "home.img"), FileMode.Open))
        {
            stream.SetLength(Size * 2);
        }

        AssertFoundThenRepaired(FindingKind.SizeMismatch);
        Assert.Equal(Size * 2, Pool.GetSubvolume("home").Size);
    }

    [Fact]
    public void ASnapshotWhoseRecordedSizeDiffersFromItsImageIsTakenFromTheImage()
    {
        // As an earlier version left a received snapshot: the header's size recorded, in pool.db and the identity alike, for an image a size change grew.
        var image = WriteSnapshotRecordedSmallerThanItsImage("home", "received", grownTo: Size * 2);

        var found = Pool.Check(repair: false);
        var finding = Assert.Single(found.Findings, finding => finding.Kind == FindingKind.SizeMismatch);
        Assert.Equal("home@received", finding.Subject);
        Assert.Contains($"recorded as {Size} bytes but its image has {Size * 2}", finding.Message);
        Assert.True(finding.Repairable);
        Assert.DoesNotContain(found.Findings, finding => finding.Kind is FindingKind.IdentityMismatch or FindingKind.IdentityMissing);

        var repaired = Pool.Check(repair: true);
        Assert.True(Assert.Single(repaired.Findings, finding => finding.Kind == FindingKind.SizeMismatch).Repaired);

        Assert.Equal(Size * 2, Pool.Database.FindSnapshot("home", "received")!.Size);
        Assert.Equal(Size * 2, IdentityAttribute.Read(image)!.Size);
        Assert.Equal(Size * 2, new FileInfo(image).Length);
        Assert.DoesNotContain(Pool.Check(repair: false).Findings, finding => finding.Kind is FindingKind.SizeMismatch or FindingKind.IdentityMismatch or FindingKind.IdentityMissing);
    }

    [Fact]
    public void ASnapshotSizeRepairedTogetherWithAStaleIdentityLeavesTheIdentityWithTheImagesSize()
    {
        var image = WriteSnapshotRecordedSmallerThanItsImage("home", "received", grownTo: Size * 3);
        var recorded = Pool.Database.FindSnapshot("home", "received")!;
        var stale = IdentityAttribute.Read(image)! with { Created = recorded.Created.AddDays(-1) };
        IdentityAttribute.Write(image, stale);

        var found = Pool.Check(repair: false);
        Assert.Contains(found.Findings, finding => finding.Kind == FindingKind.SizeMismatch);
        Assert.Contains(found.Findings, finding => finding.Kind == FindingKind.IdentityMismatch);

        Pool.Check(repair: true);

        var identity = IdentityAttribute.Read(image)!;
        Assert.Equal(Size * 3, identity.Size);
        Assert.Equal(recorded.Created, identity.Created);
        Assert.Equal(Size * 3, Pool.Database.FindSnapshot("home", "received")!.Size);
        Assert.DoesNotContain(Pool.Check(repair: false).Findings, finding => finding.Kind is FindingKind.SizeMismatch or FindingKind.IdentityMismatch or FindingKind.IdentityMissing);
    }

    [Fact]
    public void AnInterruptedRenameIsFinishedNotMistakenForOrphans()
    {
        Pool.CreateSubvolume("old", Size, FileSystemKind.Ext4);
        var record = Pool.Database.FindSubvolume("old")!;
        CreateLeftoverDirectory(PoolFile("snapshots", "old"));
        // The metadata says "new" but the files still carry the old name, as after a crash mid-rename.
        Pool.Database.RenameSubvolume(record.Id, "old", "new");

        var found = Pool.Check(repair: false);
        Assert.Equal([FindingKind.UnfinishedRename], found.Findings.Select(finding => finding.Kind));
        Assert.True(File.Exists(PoolFile("subvolumes", "old.img")), "check alone must not touch files");

        var repaired = Pool.Check(repair: true);
        Assert.True(repaired.Consistent);
        Assert.True(File.Exists(PoolFile("subvolumes", "new.img")));
        Assert.True(Directory.Exists(PoolFile("snapshots", "new")));
        Assert.Empty(Pool.Check(repair: false).Findings);
    }

    [Fact]
    public void AnEmptySnapshotDirectoryOfNoSubvolumeIsRemoved()
    {
        CreateLeftoverDirectory(PoolFile("snapshots", "departed"));

        AssertFoundThenRepaired(FindingKind.EmptyDirectory);
        Assert.False(Directory.Exists(PoolFile("snapshots", "departed")));
    }

    [Fact]
    public void UnknownFilesAreReportedAndLeftAlone()
    {
        // A person's file, with the mode a person's umask gives it: not the pool's to change.
        File.WriteAllText(PoolFile("subvolumes", "notes.txt"), "mine");

        var report = Pool.Check(repair: true);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.UnknownFile, finding.Kind);
        Assert.False(finding.Repaired);
        Assert.True(File.Exists(PoolFile("subvolumes", "notes.txt")));
    }

    [Fact]
    public void AnImageOthersCanReadIsReportedAndMadePrivate()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        var image = PoolFile("subvolumes", "home.img");
        File.SetUnixFileMode(image, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        AssertFoundThenRepaired(FindingKind.WrongMode);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(image));
    }

    [Fact]
    public void ALinkInPlaceOfAnImageIsReportedAndRepairNeitherFollowsNorRemovesIt()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        var image = PoolFile("subvolumes", "home.img");
        var outside = Path.Combine(Path.GetDirectoryName(_pool.Root)!, $"outside-{Guid.NewGuid():N}");
        File.WriteAllText(outside, "outside");
        try
        {
            File.Delete(image);
            File.CreateSymbolicLink(image, outside);

            var report = Pool.Check(repair: true);

            var finding = Assert.Single(report.Findings);
            Assert.Equal(FindingKind.SymbolicLink, finding.Kind);
            Assert.False(finding.Repaired);
            Assert.Contains("remove the link by hand", finding.Message);
            Assert.NotNull(new FileInfo(image).LinkTarget);
            Assert.Equal("outside", File.ReadAllText(outside));
            Assert.Single(Pool.Database.ListSubvolumes());
        }
        finally
        {
            File.Delete(image);
            File.Delete(outside);
        }
    }

    [Fact]
    public void FilesSubvolDidNotWriteAreCountedWithTheirSizesAndLeftAlone()
    {
        File.WriteAllBytes(PoolFile("stray.bin"), new byte[1 << 20]);
        Directory.CreateDirectory(PoolFile("mounts", "home", "left-behind"));
        File.WriteAllBytes(PoolFile("mounts", "home", "left-behind", "data"), new byte[256 << 10]);
        File.WriteAllText(PoolFile(".subvol", "notes"), "mine");

        var report = Pool.Check(repair: true);

        var foreign = report.Findings.Where(finding => finding.Kind == FindingKind.ForeignFile).OrderBy(finding => finding.Subject, StringComparer.Ordinal).ToList();
        Assert.Equal([PoolFile(".subvol", "notes"), PoolFile("mounts", "home", "left-behind"), PoolFile("stray.bin")], foreign.Select(finding => finding.Subject));
        Assert.Equal(1L << 20, foreign[2].Bytes);
        Assert.Equal(256L << 10, foreign[1].Bytes);
        Assert.All(foreign, finding => Assert.False(finding.Repaired));
        Assert.True(report.Consistent, "files that are not the pool's do not make its own state inconsistent");
        Assert.True(File.Exists(PoolFile("stray.bin")));
        Assert.True(File.Exists(PoolFile("mounts", "home", "left-behind", "data")));
        Assert.True(File.Exists(PoolFile(".subvol", "notes")));
    }

    [Fact]
    public void AFileOfSomeoneElseBesideTheReceivesKeepsItsModeThroughARepair()
    {
        var notes = PoolFile("incoming", "notes.txt");
        File.WriteAllText(notes, "mine");
        File.SetUnixFileMode(notes, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        var report = Pool.Check(repair: true);

        Assert.Contains(report.Findings, finding => finding.Kind == FindingKind.ForeignFile && finding.Subject == notes);
        Assert.DoesNotContain(report.Findings, finding => finding.Kind == FindingKind.WrongMode && finding.Subject == notes);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead, File.GetUnixFileMode(notes));
    }

    [Fact]
    public void SeveralProblemsAreAllRepairedInOnePass()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        WriteLeftover(PoolFile("subvolumes", "ghost.img"), "x");
        WriteLeftover(PoolFile("incoming", "abc.partial"), "x");
        CreateLeftoverDirectory(PoolFile("snapshots", "departed"));

        var report = Pool.Check(repair: true);

        Assert.Equal(3, report.Findings.Count);
        Assert.True(report.Consistent);
        Assert.Empty(Pool.Check(repair: false).Findings);
        Assert.Single(Pool.ListSubvolumes());
    }

    /// <summary>
    /// A file as the pool makes it, private (0600), as a crash leaves it; an image is published with its
    /// identity, as an interrupted create or snapshot leaves it, but never recorded.
    /// </summary>
    private void WriteLeftover(string path, string text)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        if (!path.EndsWith(".img", StringComparison.Ordinal))
        {
            return;
        }

        var directory = Path.GetFileName(Path.GetDirectoryName(path))!;
        var snapshotOf = directory == "subvolumes" ? null : Pool.Database.FindSubvolume(directory);
        IdentityAttribute.Write(path, new Subvol.Metadata.ImageIdentity(
            Guid.NewGuid(), snapshotOf is null ? Subvol.Metadata.ImageKind.Subvolume : Subvol.Metadata.ImageKind.Snapshot, snapshotOf?.Guid, DateTimeOffset.UtcNow, Provisioning.Thin, Size, FileSystemKind.Ext4));
    }

    /// <summary>
    /// A recorded snapshot of a new subvolume whose image has grown to <paramref name="grownTo"/> bytes while
    /// pool.db and the image's identity both say <see cref="Size"/>; returns the image's path.
    /// </summary>
    private string WriteSnapshotRecordedSmallerThanItsImage(string subvolume, string snapshot, long grownTo)
    {
        Pool.CreateSubvolume(subvolume, Size, FileSystemKind.Ext4);
        var owner = Pool.Database.FindSubvolume(subvolume)!;
        var record = Pool.Database.InsertSnapshot(owner, snapshot, Guid.NewGuid(), Size, owner.FileSystem, DateTimeOffset.UtcNow);
        CreateLeftoverDirectory(PoolFile("snapshots", subvolume));
        var image = PoolFile("snapshots", subvolume, snapshot + ".img");
        using (var stream = new FileStream(image, FileMode.CreateNew))
        {
            stream.SetLength(grownTo);
        }

        File.SetUnixFileMode(image, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        IdentityAttribute.Write(image, Subvol.Metadata.ImageIdentity.Of(Pool.Database.FindSnapshot(record.Guid)!, owner));
        return image;
    }

    /// <summary>A directory as the pool makes it, private (0700).</summary>
    private static void CreateLeftoverDirectory(string path) =>
        Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

    private void AssertFoundThenRepaired(FindingKind kind)
    {
        var found = Pool.Check(repair: false);
        var finding = Assert.Single(found.Findings);
        Assert.Equal(kind, finding.Kind);
        Assert.True(finding.Repairable);
        Assert.False(found.Consistent);

        var repaired = Pool.Check(repair: true);
        Assert.True(Assert.Single(repaired.Findings).Repaired);
        Assert.True(repaired.Consistent);

        Assert.Empty(Pool.Check(repair: false).Findings);
    }
}
