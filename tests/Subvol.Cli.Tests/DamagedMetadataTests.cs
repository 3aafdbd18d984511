using Subvol.Cli.Tests.Infrastructure;
using Subvol.Cli.Tests.Replication;

namespace Subvol.Cli.Tests;

/// <summary>
/// A pool with guaranteed and thin subvolumes, snapshots and a clone, whose newest snapshot of
/// 'home' is replicated to a second pool; the tests damage its pool.db in turn and repair it.
/// </summary>
public sealed class DamagedPoolFixture : ReplicationPools
{
    public DamagedPoolFixture()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            return;
        }

        try
        {
            Source.Run("pool", "set", "overcommit", "1.5").ShouldSucceed();
            Source.Run("create", "home", "--size", "64M", "--fs", "ext4").ShouldSucceed();
            Source.Create("scratch", "32M", "ext4");
            Write("home", "monday.txt", "written on Monday");
            Source.Snapshot("home@monday");
            Write("home", "tuesday.txt", "written on Tuesday");
            Source.Snapshot("home@tuesday");
            Source.Snapshot("scratch@one");
            Source.Run("clone", "home@monday", "copy", "--provisioning", "thin").ShouldSucceed();
            Stream = Path.Combine(NewDirectory("streams"), "tuesday.stream");
            Source.Run("send", "home@tuesday", "-o", Stream).ShouldSucceed();
            Destination.Run("receive", "home", "-f", Stream).ShouldSucceed();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>A full stream of home@tuesday, for the verbs that read one.</summary>
    public string Stream { get; } = string.Empty;

    public string Database => Path.Combine(Source.Path, ".subvol", "pool.db");

    public void Write(string subvolume, string file, string text)
    {
        var mountPoint = Source.Mount(subvolume);
        File.WriteAllText(Path.Combine(mountPoint, file), text);
        Source.Unmount(subvolume);
    }
}

/// <summary>A lost or damaged pool.db is one clear error on every verb, and check --repair rebuilds it from the images.</summary>
public sealed class DamagedMetadataTests(DamagedPoolFixture pools) : IClassFixture<DamagedPoolFixture>
{
    private const int DamagedMetadata = 12;

    public static TheoryData<string> Damages => ["deleted", "truncated", "garbage", "empty"];

    [RootTheory]
    [MemberData(nameof(Damages))]
    public void Every_verb_refuses_a_damaged_pool_db_and_check_repair_rebuilds_it_as_it_was(string damage)
    {
        var source = pools.Source;
        var listing = source.Run("list", "-t", "all", "--json").ShouldSucceed().Stdout;
        var overcommit = source.Json("pool", "status").GetProperty("overcommit").GetDouble();
        Damage(damage);

        foreach (var verb in Verbs())
        {
            var result = source.Run(verb).ShouldFailWith(DamagedMetadata);
            Assert.Contains(pools.Database, result.StderrLines[0]);
            Assert.Contains("subvol check --repair", result.StderrLines[0]);
        }

        var repair = source.Run("check", "--repair").ShouldSucceed();
        Assert.Contains($"{pools.Database} was damaged", repair.Stdout);
        Assert.Contains("restored subvolume 'copy'", repair.Stdout);
        Assert.Equal(listing, source.Run("list", "-t", "all", "--json").ShouldSucceed().Stdout);
        Assert.Equal(overcommit, source.Json("pool", "status").GetProperty("overcommit").GetDouble());
        source.CheckConsistent();
        var aside = Directory.EnumerateFiles(Path.GetDirectoryName(pools.Database)!, "pool.db.damaged-*").ToList();
        Assert.True(damage == "deleted" || aside.Count > 0, $"the damaged pool.db should be kept aside: {repair}");
    }

    [RootTheory]
    [MemberData(nameof(Damages))]
    public void An_incremental_send_from_a_snapshot_made_before_the_rebuild_still_works(string damage)
    {
        var source = pools.Source;
        var newest = pools.Destination.Json("list", "-t", "snapshot", "home").EnumerateArray().Last().GetProperty("snapshot").GetString()!;
        Damage(damage);
        source.Run("check", "--repair").ShouldSucceed();

        pools.Write("home", $"after-{damage}.txt", $"written after the {damage} pool.db was rebuilt");
        source.Snapshot($"home@after-{damage}");
        var stream = Path.Combine(pools.NewDirectory($"incremental-{damage}"), "after.stream");
        source.Run("send", $"home@after-{damage}", "--from", newest, "-o", stream).ShouldSucceed();
        pools.Destination.Run("receive", "home", "-f", stream).ShouldSucceed();

        Assert.Equal(source.Guid("home", $"after-{damage}"), pools.Destination.Guid("home", $"after-{damage}"));
        Assert.Equal(source.Guid("home", newest), pools.Destination.Guid("home", newest));
    }

    [RootFact]
    public void A_snapshot_guid_edited_into_something_else_is_damaged_metadata_and_check_repair_rebuilds_it()
    {
        var source = pools.Source;
        var listing = source.Run("list", "-t", "all", "--json").ShouldSucceed().Stdout;
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={pools.Database};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE snapshots SET guid = 'not-a-guid' WHERE name = 'monday'";
            Assert.Equal(1, command.ExecuteNonQuery());
        }

        var refused = source.Run("list", "-t", "all").ShouldFailWith(DamagedMetadata);
        Assert.Contains(pools.Database, refused.StderrLines[0]);
        Assert.Contains("snapshots.guid holds 'not-a-guid', which is not a GUID", refused.StderrLines[0]);
        Assert.Contains("subvol check --repair", refused.StderrLines[0]);

        var repair = source.Run("check", "--repair").ShouldSucceed();
        Assert.Contains($"{pools.Database} was damaged", repair.Stdout);
        Assert.Equal(listing, source.Run("list", "-t", "all", "--json").ShouldSucceed().Stdout);
        source.CheckConsistent();
    }

    private IEnumerable<string[]> Verbs()
    {
        var output = Path.Combine(pools.NewDirectory($"refused-{Guid.NewGuid():N}"), "refused.stream");
        return
        [
            ["list"], ["list", "-t", "snapshot"], ["pool", "status"], ["df"], ["check"],
            ["create", "fresh", "--size", "32M", "--fs", "ext4"], ["mount", "home"], ["umount", "home"], ["resize", "home", "128M"],
            ["rename", "scratch", "renamed"], ["delete", "copy"], ["snapshot", "home@refused"], ["destroy", "home@monday"],
            ["clone", "home@monday", "other"], ["rollback", "home@tuesday"], ["send", "home@tuesday", "-o", output],
            ["receive", "elsewhere", "-f", pools.Stream], ["receive", "--resume-token", "home"], ["receive", "--abort", "home"],
            ["replicate", "home", pools.Destination.Path], ["trim", "scratch"], ["pool", "set", "overcommit", "2"],
            ["guard", "--once"], ["pool", "import", pools.Source.Path], ["pool", "export", pools.Source.Path],
        ];
    }

    private void Damage(string damage)
    {
        var database = pools.Database;
        Assert.True(File.Exists(database), $"{database} should exist before it is damaged");
        switch (damage)
        {
            case "deleted":
                File.Delete(database);
                break;
            case "truncated":
                using (var file = new FileStream(database, FileMode.Open))
                {
                    file.SetLength(file.Length / 2);
                }

                break;
            case "garbage":
                File.WriteAllBytes(database, Enumerable.Range(0, 32_768).Select(index => (byte)(index * 7919 % 251)).ToArray());
                break;
            case "empty":
                File.WriteAllBytes(database, []);
                break;
        }
    }
}
