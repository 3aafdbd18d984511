using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>What a person or a script sees: exit codes, one-line errors on stderr, JSON on stdout.</summary>
public sealed class CommandLineTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const long MiB = 1 << 20;

    public static TheoryData<string[], string> BadNames => new()
    {
        { ["create", "../x", "--size", "320M"], "cannot contain '..'" },
        { ["create", "", "--size", "320M"], "cannot be empty" },
        { ["create", new string('a', 101), "--size", "320M"], "at most 100 characters" },
        { ["create", "--size", "320M", "--", "-x"], "cannot start with '-'" },
        { ["create", ".hidden", "--size", "320M"], "cannot start with '-' or '.'" },
        { ["create", "a/b", "--size", "320M"], "cannot contain '/'" },
        { ["create", "a b", "--size", "320M"], "can contain only" },
        { ["create", "a\u001bb", "--size", "320M"], "\\x1b" },
        { ["create", "a\nb", "--size", "320M"], "\\n" },
        { ["snapshot", "x@../y"], "cannot contain '..'" },
        { ["snapshot", "x@"], "cannot be empty" },
        { ["clone", "x@s", "evil/name"], "cannot contain '/'" },
        { ["rename", "x", "--", "-y"], "cannot start with '-'" },
        { ["mount", "..", "--at", "/tmp"], "cannot contain '..'" },
    };

    [RootTheory]
    [MemberData(nameof(BadNames))]
    public void Bad_names_exit_2_with_the_rule_on_stderr(string[] arguments, string rule)
    {
        var result = pool.Run(arguments).ShouldFailWith(2);
        Assert.Contains(rule, result.Stderr);
        Assert.DoesNotContain('\u001b', result.Stderr);
        Assert.Single(result.StderrLines);
    }

    [RootFact]
    public void Names_at_the_edge_of_the_rules_are_accepted()
    {
        foreach (var name in new[] { new string('n', 100), "a:b+c_d.e-F9" })
        {
            pool.Create(name, "320M");
            Assert.Contains(name, pool.SubvolumeNames());
            pool.Run("delete", name).ShouldSucceed();
        }
    }

    [RootFact]
    public void Bad_sizes_exit_2()
    {
        pool.Run("create", "tiny", "--size", "1M").ShouldFailWith(2);
        pool.Run("create", "tiny", "--size", "8M", "--fs", "ext4").ShouldFailWith(2);
        pool.Run("create", "tiny", "--size", "lots").ShouldFailWith(2);
        pool.Run("create", "tiny", "--size", "-5G").ShouldFailWith(2);
        Assert.DoesNotContain("tiny", pool.SubvolumeNames());
    }

    [RootFact]
    public void A_directory_that_is_not_a_pool_exits_3_with_a_one_line_hint()
    {
        var notAPool = pool.NewDirectory("not-a-pool");
        var fromEnvironment = pool.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_POOL"] = notAPool }, "list").ShouldFailWith(3);
        Assert.Single(fromEnvironment.StderrLines);
        Assert.Contains(notAPool, fromEnvironment.Stderr);
        Assert.Contains("pool create", fromEnvironment.Stderr);

        var fromOption = pool.Run("--pool", Path.Combine(notAPool, "missing"), "list").ShouldFailWith(3);
        Assert.Single(fromOption.StderrLines);

        // A machine that knows no pool at all.
        var bare = new SubvolCli(pool.NewDirectory("empty-config"), defaultPool: null);
        var none = bare.Run("list").ShouldFailWith(3);
        Assert.Single(none.StderrLines);
        Assert.Contains("--pool", none.Stderr);
    }

    [RootFact]
    public void Pool_create_on_a_directory_that_cannot_reflink_exits_7_and_suggests_image()
    {
        var directory = pool.NewDirectory("plain-pool");
        var type = Tools.Run("stat", "-f", "-c", "%T", directory).ShouldSucceed().Stdout.Trim();
        Assert.True(type is "ext2/ext3" or "tmpfs", $"this test needs a host directory that cannot reflink, not {type}");

        var result = pool.Run("pool", "create", directory).ShouldFailWith(7);
        Assert.Contains("--image", result.Stderr);
        Assert.DoesNotContain(pool.Json("pool", "list").EnumerateArray(), known => known.GetProperty("pool").GetString() == directory);
        Assert.False(File.Exists(Path.Combine(directory, ".subvol", "pool.db")));
    }

    [RootFact]
    public void Json_of_every_listing_parses_and_has_the_documented_fields()
    {
        pool.Create("json-a", "320M");
        var mountPoint = pool.Mount("json-a");
        pool.Run("snapshot", "json-a@s1").ShouldSucceed();
        pool.Run("clone", "json-a@s1", "json-b").ShouldSucceed();

        var subvolumes = pool.Json("list");
        Assert.Equal(JsonValueKind.Array, subvolumes.ValueKind);
        var a = subvolumes.EnumerateArray().Single(item => item.GetProperty("name").GetString() == "json-a");
        Assert.True(Guid.TryParse(a.GetProperty("guid").GetString(), out _));
        Assert.Equal(320 * MiB, a.GetProperty("size").GetInt64());
        Assert.Equal("xfs", a.GetProperty("filesystem").GetString());
        Assert.True(DateTimeOffset.TryParse(a.GetProperty("created").GetString(), out _));
        Assert.Equal(mountPoint, a.GetProperty("mountpoint").GetString());
        Assert.True(a.GetProperty("referenced").GetInt64() > 0);
        Assert.Equal(1, a.GetProperty("snapshots").GetInt32());
        Assert.Equal(JsonValueKind.Null, a.GetProperty("origin_snapshot").ValueKind);

        var snapshots = pool.Json("list", "-t", "snapshot");
        var s1 = snapshots.EnumerateArray().Single(item => item.GetProperty("name").GetString() == "json-a@s1");
        Assert.Equal("json-a", s1.GetProperty("subvolume").GetString());
        Assert.Equal("s1", s1.GetProperty("snapshot").GetString());
        Assert.True(Guid.TryParse(s1.GetProperty("guid").GetString(), out _));
        Assert.Equal(320 * MiB, s1.GetProperty("size").GetInt64());
        Assert.Equal("xfs", s1.GetProperty("filesystem").GetString());
        Assert.True(DateTimeOffset.TryParse(s1.GetProperty("created").GetString(), out _));
        Assert.True(s1.GetProperty("referenced").GetInt64() >= 0);
        Assert.Equal(JsonValueKind.Null, s1.GetProperty("mountpoint").ValueKind);

        var b = pool.Json("list", "json-b").EnumerateArray().Single();
        Assert.Equal(s1.GetProperty("guid").GetString(), b.GetProperty("origin_snapshot").GetString());
        Assert.Equal(JsonValueKind.Null, b.GetProperty("mountpoint").ValueKind);
        Assert.Single(pool.Json("list", "-t", "snapshot", "json-a").EnumerateArray());

        var status = pool.Json("pool", "status");
        Assert.Equal(pool.PoolPath, status.GetProperty("pool").GetString());
        Assert.Equal(pool.ImagePath, status.GetProperty("image").GetString());
        Assert.Equal("xfs", status.GetProperty("host_filesystem").GetString());
        Assert.True(status.GetProperty("size").GetInt64() > 15L * 1024 * MiB);
        Assert.True(status.GetProperty("used").GetInt64() > 0);
        Assert.True(status.GetProperty("available").GetInt64() > 0);
        Assert.True(status.GetProperty("subvolumes").GetInt32() >= 2);
        Assert.True(status.GetProperty("snapshots").GetInt32() >= 1);
        Assert.True(status.GetProperty("mounted").GetInt32() >= 1);

        var check = pool.Json("check");
        Assert.Equal(JsonValueKind.Array, check.GetProperty("findings").ValueKind);
        Assert.True(check.GetProperty("consistent").GetBoolean());

        var pools = pool.Json("pool", "list");
        var known = pools.EnumerateArray().Single();
        Assert.Equal(pool.PoolPath, known.GetProperty("pool").GetString());
        Assert.Equal(pool.ImagePath, known.GetProperty("image").GetString());

        pool.Unmount("json-a");
    }

    [RootFact]
    public void List_all_json_is_one_json_document()
    {
        pool.Create("json-all", "320M");
        pool.Run("snapshot", "json-all@s").ShouldSucceed();
        var result = pool.Run("list", "-t", "all", "--json").ShouldSucceed();
        var exception = Record.Exception(() => JsonDocument.Parse(result.Stdout).Dispose());
        Assert.True(exception is null, $"'list -t all --json' should print one JSON document ({exception?.Message}): {result}");
    }

    [RootFact]
    public void Errors_go_to_stderr_with_their_exit_code_and_nothing_to_stdout()
    {
        pool.Create("err", "320M");
        pool.Run("mount", "nope").ShouldFailWith(3);
        pool.Run("snapshot", "nope").ShouldFailWith(3);
        pool.Run("destroy", "err@nope").ShouldFailWith(3);
        pool.Run("clone", "err@nope", "err-clone").ShouldFailWith(3);
        pool.Run("delete", "nope").ShouldFailWith(3);
        pool.Run("rollback", "err@nope").ShouldFailWith(3);
        pool.Run("list", "nope").ShouldFailWith(3);
        pool.Run("create", "err", "--size", "512M").ShouldFailWith(4);
        pool.Run("snapshot", "err@s").ShouldSucceed();
        pool.Run("snapshot", "err@s").ShouldFailWith(4);
        pool.Create("err-other", "320M");
        pool.Run("rename", "err", "err-other").ShouldFailWith(4);

        pool.Mount("err");
        var renaming = pool.Run("rename", "err", "err-renamed").ShouldFailWith(5);
        Assert.Contains("umount", renaming.Stderr);
        pool.Run("delete", "err").ShouldFailWith(5);
        pool.Unmount("err");
        pool.Run("delete", "err").ShouldFailWith(5);

        // A success says what it did on stdout, and nothing on stderr.
        var renamed = pool.Run("rename", "err", "err-renamed").ShouldSucceed();
        Assert.NotEmpty(renamed.Stdout);
        Assert.Empty(renamed.Stderr);
        Assert.Equal(["s"], pool.SnapshotNames("err-renamed"));
        Assert.DoesNotContain("err", pool.SubvolumeNames());
        pool.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void Usage_errors_exit_2_with_one_error_line()
    {
        pool.Run("create", "no-size").ShouldFailWith(2);
        pool.Run("create", "bad-fs", "--size", "320M", "--fs", "ntfs").ShouldFailWith(2);
        pool.Run("list", "-t", "volumes").ShouldFailWith(2);
        pool.Run("list", "--bogus").ShouldFailWith(2);
        pool.Run().ShouldFailWith(2);
        pool.Run("frobnicate").ShouldFailWith(2);
    }

    [RootFact]
    public void Pool_export_then_import_brings_the_subvolumes_back_with_their_data()
    {
        pool.Create("travel", "320M");
        var mountPoint = pool.Mount("travel");
        var data = Data.WriteRandom(Path.Combine(mountPoint, "a.bin"), 4 * MiB);
        pool.Run("snapshot", "travel@s").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mountPoint, "later.bin"), MiB);
        var tree = Data.Tree(mountPoint);
        pool.Mount("travel@s");
        var subvolumesBefore = pool.SubvolumeNames();
        var snapshotsBefore = pool.AllSnapshotFullNames();

        pool.Run("pool", "export").ShouldSucceed();
        try
        {
            Assert.True(Waiting.Eventually(
                () => Kernel.MountAt(pool.PoolPath) is null && !Kernel.LoopDevices().Any(loop => loop.BackingFile.StartsWith(pool.Root + "/", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(10)), "export should unmount and detach everything of the pool");
            pool.Run("list").ShouldFailWith(3);

            // An exported pool is either forgotten, or remembered as exported so that import finds its image.
            var known = pool.Json("pool", "list").EnumerateArray().Where(item => item.GetProperty("pool").GetString() == pool.PoolPath).ToList();
            if (known.Count == 0)
            {
                Assert.Contains("--image", pool.Run("pool", "import", pool.PoolPath).ShouldFailWith(3).Stderr);
                pool.Run("pool", "import", pool.PoolPath, "--image", pool.ImagePath).ShouldSucceed();
            }
            else
            {
                Assert.Equal("exported", Assert.Single(known).GetProperty("state").GetString());
                pool.Run("pool", "import", pool.PoolPath).ShouldSucceed();
            }
        }
        finally
        {
            // The other tests of this class share the pool: bring it back whatever happened above.
            if (Kernel.MountAt(pool.PoolPath) is null)
            {
                pool.Run("pool", "import", pool.PoolPath, "--image", pool.ImagePath);
            }
        }

        Assert.Equal("imported", pool.Json("pool", "list").EnumerateArray().Single(item => item.GetProperty("pool").GetString() == pool.PoolPath).GetProperty("state").GetString());
        Assert.Equal(subvolumesBefore, pool.SubvolumeNames());
        Assert.Equal(snapshotsBefore, pool.AllSnapshotFullNames());
        Assert.Equal(tree, Data.Tree(pool.Mount("travel")));
        Assert.Equal(data, Data.Sha256(Path.Combine(pool.Mount("travel@s"), "a.bin")));
        pool.Unmount("travel@s");
        pool.Unmount("travel");
        pool.Run("check").ShouldSucceed();
    }
}
