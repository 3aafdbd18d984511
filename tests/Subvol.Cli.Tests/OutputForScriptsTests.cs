using System.Globalization;
using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>What README's "Output for scripts" promises: one naming scheme, one shape per listing, zfs's listing options, and --json from every verb that changes something.</summary>
public sealed class OutputForScriptsTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const long MiB = 1 << 20;

    [RootFact]
    public void List_all_json_is_one_array_of_rows_of_one_shape_whatever_the_type()
    {
        pool.Create("shape", "320M");
        pool.Run("snapshot", "shape@s").ShouldSucceed();

        var rows = pool.Json("list", "-t", "all", "shape").EnumerateArray().ToList();

        Assert.Equal(["shape", "shape@s"], rows.Select(row => row.GetProperty("name").GetString()));
        Assert.Equal(["subvolume", "snapshot"], rows.Select(row => row.GetProperty("type").GetString()));
        Assert.Equal(Fields(rows[0]), Fields(rows[1]));
        Assert.Equal(Fields(rows[0]), Fields(pool.Json("list", "shape").EnumerateArray().Single()));
        Assert.Equal(Fields(rows[0]), Fields(pool.Json("list", "-t", "snapshot", "shape").EnumerateArray().Single()));
        Assert.Equal("s", rows[1].GetProperty("snapshot").GetString());
        Assert.Equal("shape", rows[1].GetProperty("subvolume").GetString());
    }

    [RootFact]
    public void Every_json_field_is_a_column_whose_heading_is_its_name_in_capitals()
    {
        pool.Create("headings", "320M");
        pool.Run("snapshot", "headings@s").ShouldSucceed();
        var listings = new (string[] Arguments, JsonElement Row)[]
        {
            (["list", "-t", "all"], pool.Json("list", "-t", "all").EnumerateArray().First()),
            (["df"], pool.Json("df").GetProperty("images").EnumerateArray().First()),
            (["pool", "status"], pool.Json("pool", "status")),
            (["pool", "list"], pool.Json("pool", "list").EnumerateArray().First()),
        };

        foreach (var (arguments, row) in listings)
        {
            var fields = Fields(row);
            var table = pool.Run([.. arguments, "-o", string.Join(',', fields)]).ShouldSucceed();
            var headings = table.Stdout.Split('\n')[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(fields.Select(field => field.ToUpperInvariant()), headings);
        }
    }

    [RootFact]
    public void Enum_values_in_json_are_lower_case_as_the_command_line_takes_them()
    {
        pool.Create("enum-guaranteed", "320M");
        pool.Run("create", "enum-thin", "--size", "320M", "--provisioning", "thin").ShouldSucceed();

        var rows = pool.Json("list").EnumerateArray().ToDictionary(row => row.GetProperty("name").GetString()!);

        Assert.Equal("guaranteed", rows["enum-guaranteed"].GetProperty("provisioning").GetString());
        Assert.Equal("thin", rows["enum-thin"].GetProperty("provisioning").GetString());
        Assert.Equal("xfs", rows["enum-thin"].GetProperty("filesystem").GetString());
    }

    [RootFact]
    public void List_H_p_prints_tab_separated_exact_rows_without_headings_in_the_columns_asked_for()
    {
        pool.Create("tabs", "320M");
        pool.Run("snapshot", "tabs@s").ShouldSucceed();
        var json = pool.Json("list", "tabs").EnumerateArray().Single();
        var snapshot = pool.Json("list", "-t", "snapshot", "tabs").EnumerateArray().Single();

        var line = Assert.Single(pool.Run("list", "-H", "-p", "-o", "referenced,name,size", "tabs").ShouldSucceed().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var created = Assert.Single(pool.Run("list", "-t", "snapshot", "-Hp", "-o", "created", "tabs").ShouldSucceed().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var human = pool.Run("list", "-H", "-o", "name,size", "tabs").ShouldSucceed().Stdout.TrimEnd('\n');

        Assert.Equal(
            $"{json.GetProperty("referenced").GetInt64()}\ttabs\t{320 * MiB}",
            line);
        Assert.Equal(DateTimeOffset.Parse(snapshot.GetProperty("created").GetString()!, CultureInfo.InvariantCulture).ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture), created);
        Assert.Equal("tabs\t320.0 MiB", human);
    }

    [RootFact]
    public void List_s_sorts_ascending_and_S_descending_by_any_column()
    {
        pool.Create("sort-b", "400M");
        pool.Create("sort-a", "360M");
        pool.Create("sort-c", "320M");

        List<string> Names(params string[] order) =>
            pool.Run(["list", "-H", "-o", "name", .. order]).ShouldSucceed().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Where(name => name.StartsWith("sort-", StringComparison.Ordinal)).ToList();

        Assert.Equal(["sort-c", "sort-a", "sort-b"], Names("-s", "size"));
        Assert.Equal(["sort-b", "sort-a", "sort-c"], Names("-S", "size"));
        Assert.Equal(["sort-a", "sort-b", "sort-c"], Names("-s", "name"));
        var json = pool.Json("list", "-S", "size").EnumerateArray().Select(row => row.GetProperty("size").GetInt64()).ToList();
        Assert.Equal(json.OrderDescending(), json);
    }

    [RootFact]
    public void Df_H_prints_only_its_rows()
    {
        pool.Create("df-rows", "320M");
        var lines = pool.Run("df", "-H", "-p", "-o", "name,type,referenced").ShouldSucceed().Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var referenced = pool.Json("df").GetProperty("images").EnumerateArray().Single(image => image.GetProperty("name").GetString() == "df-rows").GetProperty("referenced").GetInt64();

        Assert.All(lines, line => Assert.Equal(3, line.Split('\t').Length));
        Assert.Contains($"df-rows\tsubvolume\t{referenced}", lines);
    }

    [RootFact]
    public void Subvolume_and_snapshot_verbs_answer_json_with_what_they_did()
    {
        var created = Document("create", "done", "--size", "320M");
        Assert.True(created.GetProperty("changed").GetBoolean());
        Assert.Equal("done", created.GetProperty("subvolume").GetProperty("name").GetString());
        Assert.Equal("guaranteed", created.GetProperty("subvolume").GetProperty("provisioning").GetString());
        Assert.False(Document("create", "done", "--size", "320M").GetProperty("changed").GetBoolean());

        var mounted = Document("mount", "done");
        Assert.Equal(pool.DefaultMountPoint("done"), mounted.GetProperty("subvolume").GetProperty("mountpoint").GetString());
        var snapshot = Document("snapshot", "done@first").GetProperty("snapshot");
        Assert.Equal("done@first", snapshot.GetProperty("name").GetString());
        Assert.Equal("first", snapshot.GetProperty("snapshot").GetString());
        Assert.Equal(Listed("-t", "snapshot", "done").Single().GetProperty("guid").GetString(), snapshot.GetProperty("guid").GetString());
        Assert.True(DateTimeOffset.TryParse(snapshot.GetProperty("created").GetString(), CultureInfo.InvariantCulture, out _));
        Assert.Equal(JsonValueKind.Null, Document("umount", "done").GetProperty("subvolume").GetProperty("mountpoint").ValueKind);
        Assert.False(Document("umount", "done").GetProperty("changed").GetBoolean());

        Assert.Equal(400 * MiB, Document("resize", "done", "400M").GetProperty("subvolume").GetProperty("size").GetInt64());
        var clone = Document("clone", "done@first", "done-clone", "--provisioning", "thin").GetProperty("subvolume");
        Assert.Equal(snapshot.GetProperty("guid").GetString(), clone.GetProperty("origin_snapshot").GetString());
        Assert.Equal("thin", clone.GetProperty("provisioning").GetString());
        var renamed = Document("rename", "done-clone", "done-copy");
        Assert.Equal("done-copy", renamed.GetProperty("subvolume").GetProperty("name").GetString());
        Assert.Equal("done-clone", renamed.GetProperty("renamed_from").GetString());

        pool.Run("snapshot", "done@second").ShouldSucceed();
        var rolledBack = Document("rollback", "done@first", "--force");
        Assert.Equal("done@first", rolledBack.GetProperty("snapshot").GetProperty("name").GetString());
        Assert.Equal(["done@second"], rolledBack.GetProperty("destroyed").EnumerateArray().Select(row => row.GetProperty("name").GetString()));

        pool.Run("snapshot", "done@third").ShouldSucceed();
        var destroyed = Document("destroy", "done@third").GetProperty("snapshot");
        Assert.Equal("done@third", destroyed.GetProperty("name").GetString());
        Assert.DoesNotContain("third", pool.SnapshotNames("done"));

        var deleted = Document("delete", "-r", "done");
        Assert.Equal("done", deleted.GetProperty("subvolume").GetProperty("name").GetString());
        Assert.Equal(["done@first"], deleted.GetProperty("destroyed").EnumerateArray().Select(row => row.GetProperty("name").GetString()));
        Assert.DoesNotContain("done", pool.SubvolumeNames());
        pool.Run("delete", "done-copy").ShouldSucceed();
    }

    [RootFact]
    public void Pool_verbs_answer_json_with_the_pool()
    {
        var directory = Path.Combine(pool.Root, "second-pool");
        var image = Path.Combine(pool.Root, "second-pool.img");
        var created = Document("pool", "create", directory, "--image", image, "--size", "1G", "--sparse");
        try
        {
            Assert.True(created.GetProperty("changed").GetBoolean());
            Assert.Equal(directory, created.GetProperty("pool").GetProperty("pool").GetString());
            Assert.Equal(image, created.GetProperty("pool").GetProperty("image").GetString());
            Assert.Equal("imported", created.GetProperty("pool").GetProperty("state").GetString());
        }
        finally
        {
            var exported = Document("pool", "export", directory);
            Assert.Equal("exported", exported.GetProperty("pool").GetProperty("state").GetString());
        }

        var set = Document("pool", "set", "overcommit", "1.25");
        Assert.Equal(1.25, set.GetProperty("pool").GetProperty("overcommit").GetDouble());
        Assert.Equal(pool.PoolPath, set.GetProperty("pool").GetProperty("pool").GetString());
        pool.Run("pool", "set", "overcommit", "1").ShouldSucceed();
    }

    [RootFact]
    public void Guard_once_json_lists_what_it_did_and_nothing_on_a_pool_with_room()
    {
        var guard = Document("guard", "--once");

        Assert.False(guard.GetProperty("changed").GetBoolean());
        Assert.Equal(JsonValueKind.Array, guard.GetProperty("actions").ValueKind);
        Assert.Empty(guard.GetProperty("actions").EnumerateArray());
    }

    private JsonElement Document(params string[] arguments)
    {
        var result = pool.Run([.. arguments, "--json"]).ShouldSucceed();
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    private List<JsonElement> Listed(params string[] arguments) => pool.Json(["list", .. arguments]).EnumerateArray().ToList();

    private static List<string> Fields(JsonElement row) => row.EnumerateObject().Select(property => property.Name).ToList();
}
