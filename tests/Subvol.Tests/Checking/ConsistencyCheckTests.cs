using Subvol.Tests.Pools;

namespace Subvol.Tests.Checking;

/// <summary>Crafts each inconsistent state a crash can leave and proves check finds it and repair ends it.</summary>
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
        File.WriteAllText(partial, "half");

        AssertFoundThenRepaired(FindingKind.PartialImage);
        Assert.False(File.Exists(partial));
    }

    [Fact]
    public void AnImageWithoutARecordIsAnOrphanAndIsRemoved()
    {
        File.WriteAllText(PoolFile("subvolumes", "ghost.img"), "x");

        AssertFoundThenRepaired(FindingKind.OrphanImage);
        Assert.False(File.Exists(PoolFile("subvolumes", "ghost.img")));
    }

    [Fact]
    public void ASnapshotImageWithoutARecordIsAnOrphanAndIsRemoved()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        Directory.CreateDirectory(PoolFile("snapshots", "home"));
        File.WriteAllText(PoolFile("snapshots", "home", "lost.img"), "x");

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
        Directory.CreateDirectory(PoolFile("snapshots", "home"));
        File.WriteAllText(PoolFile("snapshots", "home", "daily.img"), "x");
        File.Delete(PoolFile("subvolumes", "home.img"));

        var report = Pool.Check(repair: true);

        var finding = Assert.Single(report.Findings, finding => finding.Kind == FindingKind.MissingImage);
        Assert.False(finding.Repaired);
        Assert.Contains("subvol rollback home@SNAPSHOT", finding.Message);
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
    public void AnInterruptedRenameIsFinishedNotMistakenForOrphans()
    {
        Pool.CreateSubvolume("old", Size, FileSystemKind.Ext4);
        var record = Pool.Database.FindSubvolume("old")!;
        Directory.CreateDirectory(PoolFile("snapshots", "old"));
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
        Directory.CreateDirectory(PoolFile("snapshots", "departed"));

        AssertFoundThenRepaired(FindingKind.EmptyDirectory);
        Assert.False(Directory.Exists(PoolFile("snapshots", "departed")));
    }

    [Fact]
    public void UnknownFilesAreReportedAndLeftAlone()
    {
        File.WriteAllText(PoolFile("subvolumes", "notes.txt"), "mine");

        var report = Pool.Check(repair: true);

        var finding = Assert.Single(report.Findings);
        Assert.Equal(FindingKind.UnknownFile, finding.Kind);
        Assert.False(finding.Repaired);
        Assert.True(File.Exists(PoolFile("subvolumes", "notes.txt")));
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
    public void SeveralProblemsAreAllRepairedInOnePass()
    {
        Pool.CreateSubvolume("home", Size, FileSystemKind.Ext4);
        File.WriteAllText(PoolFile("subvolumes", "ghost.img"), "x");
        File.WriteAllText(PoolFile("incoming", "abc.partial"), "x");
        Directory.CreateDirectory(PoolFile("snapshots", "departed"));

        var report = Pool.Check(repair: true);

        Assert.Equal(3, report.Findings.Count);
        Assert.True(report.Consistent);
        Assert.Empty(Pool.Check(repair: false).Findings);
        Assert.Single(Pool.ListSubvolumes());
    }

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
