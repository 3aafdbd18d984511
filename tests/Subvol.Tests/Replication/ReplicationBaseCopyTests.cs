using System.Runtime.Versioning;
using Subvol.Metadata;

namespace Subvol.Tests.Replication;

/// <summary>The copy of the replication bases beside the database: what a rebuild reads back, and what it leaves out.</summary>
[SupportedOSPlatform("linux")]
public sealed class ReplicationBaseCopyTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-base-copy-");
    private readonly PoolLayout _layout;
    private readonly PoolFiles _files;

    public ReplicationBaseCopyTests()
    {
        _layout = new PoolLayout(_directory.FullName);
        Directory.CreateDirectory(_layout.MetadataDirectory);
        _files = PoolFiles.Open(_directory.FullName);
    }

    public void Dispose()
    {
        _files.Dispose();
        _directory.Delete(recursive: true);
    }

    [Fact]
    public void Every_base_of_the_database_reads_back_from_the_copy_with_its_subvolumes_guid()
    {
        using var database = PoolDatabase.Open(_layout.Database, create: true);
        var home = database.InsertSubvolume("home", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, null, Provisioning.Thin);
        var monday = database.InsertSnapshot(home, "monday", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
        var tuesday = database.InsertSnapshot(home, "tuesday", Guid.NewGuid(), 1L << 30, FileSystemKind.Xfs, DateTimeOffset.UtcNow);
        var recorded = new DateTimeOffset(2026, 12, 4, 17, 0, 0, 123, TimeSpan.Zero);
        database.SetReplicationBase(home.Id, "/srv/backup", monday.Guid, "monday", recorded);
        database.SetReplicationBase(home.Id, "ssh://backup@nas:2222/srv/pool", tuesday.Guid, "tuesday", recorded.AddHours(1));

        ReplicationBaseCopy.Write(_files, _layout, database);

        Assert.Equal(
            [
                new ReplicationBaseCopy.Entry(home.Guid, monday.Guid, "monday", recorded, "/srv/backup"),
                new ReplicationBaseCopy.Entry(home.Guid, tuesday.Guid, "tuesday", recorded.AddHours(1), "ssh://backup@nas:2222/srv/pool"),
            ],
            ReplicationBaseCopy.Read(_files, _layout));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(_layout.ReplicationBaseCopy));
    }

    [Fact]
    public void A_line_of_the_copy_that_does_not_read_is_left_out_and_the_others_are_kept()
    {
        var subvolume = Guid.NewGuid();
        var snapshot = Guid.NewGuid();
        File.WriteAllLines(_layout.ReplicationBaseCopy,
        [
            "# heading",
            $"{subvolume}\t{snapshot}\tmonday\t2026-12-04T17:00:00.000Z\t/srv/backup",
            $"not-a-guid\t{snapshot}\tmonday\t2026-12-04T17:00:00.000Z\t/srv/other",
            $"{subvolume}\t{snapshot}\tmonday\tyesterday\t/srv/other",
            $"{subvolume}\t{snapshot}\tmonday\t2026-12-04T17:00:00.000Z\t",
            $"{subvolume}\t{snapshot}\tmonday\t2026-12-04T17:00:00.000Z\t/srv/\u001b[31mred\tand a tab",
            $"{subvolume}\t{snapshot}\tmonday",
        ]);

        var entry = Assert.Single(ReplicationBaseCopy.Read(_files, _layout));

        Assert.Equal(new ReplicationBaseCopy.Entry(subvolume, snapshot, "monday", new DateTimeOffset(2026, 12, 4, 17, 0, 0, TimeSpan.Zero), "/srv/backup"), entry);
    }

    [Fact]
    public void A_pool_without_a_copy_has_no_bases_to_read()
    {
        Assert.Empty(ReplicationBaseCopy.Read(_files, _layout));
    }
}
