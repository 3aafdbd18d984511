using Subvol.Metadata;

namespace Subvol.Tests.Pools;

/// <summary>A lost or damaged pool.db is one clear error, and check --repair rebuilds it from the images' identities.</summary>
public sealed class DamagedMetadataTests : IDisposable
{
    private const long Size = 16L << 20;
    private readonly TemporaryPool _pool = new();

    public DamagedMetadataTests()
    {
        var pool = _pool.Pool;
        pool.SetOvercommit(2.5);
        pool.CreateSubvolume("home", Size, FileSystemKind.Ext4, Provisioning.Thin);
        pool.CreateSubvolume("data", 2 * Size, FileSystemKind.Ext4, Provisioning.Guaranteed);
        // Snapshots need a reflink-capable host; a copy of the image with a recorded row is the same to the metadata.
        var home = pool.Database.FindSubvolume("home")!;
        Directory.CreateDirectory(PoolFile("snapshots", "home"));
        foreach (var (name, age) in new[] { ("monday", 2), ("tuesday", 1) })
        {
            File.Copy(PoolFile("subvolumes", "home.img"), PoolFile("snapshots", "home", name + ".img"));
            pool.Database.InsertSnapshot(home, name, Guid.NewGuid(), Size, FileSystemKind.Ext4, DateTimeOffset.UtcNow.AddDays(-age));
        }

        // The rows came without identities, which check --repair writes; a pool made by Subvol has them from the start.
        Assert.True(pool.Check(repair: true).Consistent);
        pool.Dispose();
    }

    public void Dispose() => _pool.Dispose();

    private string Database => PoolFile(".subvol", "pool.db");

    private string PoolFile(params string[] parts) => Path.Combine([_pool.Root, .. parts]);

    public static TheoryData<string> Damages => ["deleted", "empty", "truncated", "garbage"];

    [Theory]
    [MemberData(nameof(Damages))]
    public void OpeningADamagedPoolIsOneErrorNamingTheFileAndTheRepair(string damage)
    {
        Damage(damage);

        var exception = Assert.Throws<SubvolException>(() => Pool.Open(_pool.Root).Dispose());

        Assert.Equal(SubvolErrorCode.DamagedMetadata, exception.Code);
        Assert.Contains(Database, exception.Message);
        Assert.Equal(new Remedy.RepairPool(_pool.Root), exception.Remedy);
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void TheRebuildBringsBackEverySubvolumeAndSnapshotAsTheyWere(string damage)
    {
        var before = Snapshot();
        Damage(damage);

        var report = Pool.RebuildDamagedMetadata(_pool.Root);

        Assert.NotNull(report);
        Assert.Equal(FindingKind.MetadataRebuilt, report.Findings[0].Kind);
        Assert.Equal(4, report.Findings.Count(finding => finding.Kind == FindingKind.ImageRestored));
        Assert.True(report.Consistent);
        Assert.Equal(before, Snapshot());
        using var pool = Pool.Open(_pool.Root);
        Assert.Equal(2.5, pool.Overcommit);
        Assert.Empty(pool.Check(repair: false).Findings);
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void CheckWithRepairRebuildsADamagedDatabaseBeforeOpeningThePoolAndReportsBoth(string damage)
    {
        Damage(damage);
        var opened = new List<string>();

        var report = Pool.Check(_pool.Root, repair: true, path =>
        {
            opened.Add(path);
            return Pool.Open(path);
        });

        Assert.Equal([_pool.Root], opened);
        Assert.Equal(FindingKind.MetadataRebuilt, report.Findings[0].Kind);
        Assert.True(report.Consistent);
    }

    [Fact]
    public void CheckWithoutRepairLeavesADamagedDatabaseToTheErrorThatNamesTheRepair()
    {
        Damage("garbage");

        var exception = Assert.Throws<SubvolException>(() => Pool.Check(_pool.Root, repair: false, path => Pool.Open(path)));

        Assert.Equal(SubvolErrorCode.DamagedMetadata, exception.Code);
        Assert.Empty(Directory.EnumerateFiles(PoolFile(".subvol"), "pool.db.damaged-*"));
    }

    [Theory]
    [MemberData(nameof(Damages))]
    public void TheDamagedFileIsKeptAsideNeverDeleted(string damage)
    {
        Damage(damage);
        var damaged = File.Exists(Database) ? File.ReadAllBytes(Database) : null;

        var report = Pool.RebuildDamagedMetadata(_pool.Root)!;

        var aside = Directory.EnumerateFiles(PoolFile(".subvol"), "pool.db.damaged-*").ToList();
        if (damaged is null)
        {
            Assert.Empty(aside);
        }
        else
        {
            Assert.Equal(damaged, File.ReadAllBytes(Assert.Single(aside)));
            Assert.Contains(aside[0], report.Findings[0].Message);
        }
    }

    [Fact]
    public void ASoundDatabaseIsNotRebuilt()
    {
        var database = File.ReadAllBytes(Database);

        Assert.Null(Pool.RebuildDamagedMetadata(_pool.Root));

        Assert.Equal(database, File.ReadAllBytes(Database));
        Assert.Empty(Directory.EnumerateFiles(PoolFile(".subvol"), "pool.db.damaged-*"));
    }

    [Fact]
    public void SnapshotsKeepTheirOrderInTimeThroughARebuild()
    {
        Damage("garbage");

        Pool.RebuildDamagedMetadata(_pool.Root);

        using var pool = Pool.Open(_pool.Root);
        Assert.Equal(["monday", "tuesday"], pool.Database.ListSnapshots("home").Select(snapshot => snapshot.Name));
    }

    [Fact]
    public void AnImageWithoutAnIdentityIsReportedAndLeftInPlace()
    {
        File.WriteAllText(PoolFile("subvolumes", "stranger.img"), "precious");
        Damage("deleted");

        var report = Pool.RebuildDamagedMetadata(_pool.Root)!;

        var finding = Assert.Single(report.Findings, finding => finding.Kind == FindingKind.IdentityMissing);
        Assert.Contains("stranger.img", finding.Message);
        Assert.False(finding.Repairable);
        Assert.False(report.Consistent);
        Assert.Equal("precious", File.ReadAllText(PoolFile("subvolumes", "stranger.img")));
        using var pool = Pool.Open(_pool.Root);
        Assert.Equal(["data", "home"], pool.ListSubvolumes().Select(subvolume => subvolume.Name));
        pool.Check(repair: true);
        Assert.Equal("precious", File.ReadAllText(PoolFile("subvolumes", "stranger.img")));
    }

    [Fact]
    public void AnImageTheRebuildCannotPlaceIsLeftInPlaceByTheChecksThatFollow()
    {
        // A copy of a snapshot's image, with its attribute, dropped among the subvolumes.
        var misplaced = PoolFile("subvolumes", "misplaced.img");
        File.Copy(PoolFile("snapshots", "home", "monday.img"), misplaced);
        IdentityAttribute.Write(misplaced, IdentityAttribute.Read(PoolFile("snapshots", "home", "monday.img"))!);
        Damage("garbage");

        var report = Pool.RebuildDamagedMetadata(_pool.Root)!;

        Assert.Contains(report.Findings, finding => finding.Kind == FindingKind.IdentityMissing && finding.Message.Contains("misplaced.img"));
        using var pool = Pool.Open(_pool.Root);
        var orphan = Assert.Single(pool.Check(repair: true).Findings);
        Assert.Equal(FindingKind.OrphanImage, orphan.Kind);
        Assert.False(orphan.Repaired);
        Assert.True(File.Exists(misplaced));
        Assert.Equal(["monday", "tuesday"], pool.Database.ListSnapshots("home").Select(snapshot => snapshot.Name));
    }

    [Fact]
    public void ARenameInterruptedWithTheDatabaseIsFinishedByTheRebuild()
    {
        var guid = IdentityAttribute.Read(PoolFile("subvolumes", "home.img"))!.Guid;
        // The image has its new name; the snapshots are still under the old one.
        File.Move(PoolFile("subvolumes", "home.img"), PoolFile("subvolumes", "house.img"));
        Damage("deleted");

        var report = Pool.RebuildDamagedMetadata(_pool.Root)!;

        Assert.Contains(report.Findings, finding => finding.Kind == FindingKind.UnfinishedRename && finding.Repaired);
        Assert.True(report.Consistent);
        Assert.False(Directory.Exists(PoolFile("snapshots", "home")));
        using var pool = Pool.Open(_pool.Root);
        Assert.Equal(guid, pool.Database.FindSubvolume("house")!.Guid);
        Assert.Equal(["monday", "tuesday"], pool.Database.ListSnapshots("house").Select(snapshot => snapshot.Name));
        Assert.Empty(pool.Check(repair: false).Findings);
    }

    [Fact]
    public void AMissingIdentityIsReportedAndWrittenFromTheDatabase()
    {
        Subvol.Linux.ExtendedAttribute.Remove(PoolFile("subvolumes", "home.img"), ImageIdentity.AttributeName);
        using var pool = Pool.Open(_pool.Root);

        var found = pool.Check(repair: false);

        Assert.Equal(FindingKind.IdentityMissing, Assert.Single(found.Findings).Kind);
        Assert.True(pool.Check(repair: true).Consistent);
        Assert.Equal(ImageIdentity.Of(pool.Database.FindSubvolume("home")!), IdentityAttribute.Read(PoolFile("subvolumes", "home.img")));
    }

    [Fact]
    public void AnIdentityThatDisagreesIsReportedAndRewrittenFromTheDatabase()
    {
        var image = PoolFile("subvolumes", "data.img");
        IdentityAttribute.Write(image, IdentityAttribute.Read(image)! with { Size = 5 * Size, Provisioning = Provisioning.Thin });
        using var pool = Pool.Open(_pool.Root);

        var finding = Assert.Single(pool.Check(repair: false).Findings);

        Assert.Equal(FindingKind.IdentityMismatch, finding.Kind);
        Assert.Contains("provisioning, size", finding.Message);
        Assert.True(pool.Check(repair: true).Consistent);
        Assert.Equal(2 * Size, IdentityAttribute.Read(image)!.Size);
    }

    [Fact]
    public void ChangedPoolSettingsAreKeptOnTheMetadataDirectory()
    {
        using (var pool = Pool.Open(_pool.Root))
        {
            pool.SetOvercommit(4);
        }

        Assert.Equal("4", IdentityAttribute.ReadSettings(PoolFile(".subvol"))!["overcommit"]);
    }

    [Fact]
    public void ResizingRewritesTheIdentity()
    {
        using var pool = Pool.Open(_pool.Root);

        pool.ResizeSubvolume("data", 3 * Size);

        Assert.Equal(3 * Size, IdentityAttribute.Read(PoolFile("subvolumes", "data.img"))!.Size);
        Assert.Empty(pool.Check(repair: false).Findings);
    }

    /// <summary>Everything a rebuild must give back, in a form that compares equal when it does.</summary>
    private string Snapshot()
    {
        using var pool = Pool.Open(_pool.Root);
        var subvolumes = pool.Database.ListSubvolumes().Select(record => record with { Id = 0 });
        var snapshots = pool.Database.ListSnapshots().Select(record => record with { Id = 0, SubvolumeId = 0 });
        return string.Join('\n', subvolumes.Select(record => record.ToString()).Concat(snapshots.Select(record => record.ToString())));
    }

    private void Damage(string damage)
    {
        switch (damage)
        {
            case "deleted":
                File.Delete(Database);
                break;
            case "empty":
                File.WriteAllBytes(Database, []);
                break;
            case "truncated":
                using (var file = new FileStream(Database, FileMode.Open))
                {
                    file.SetLength(file.Length / 2);
                }

                break;
            case "garbage":
                File.WriteAllBytes(Database, Enumerable.Range(0, 20_000).Select(index => (byte)(index * 7919 % 251)).ToArray());
                break;
        }
    }
}
