using System.Buffers.Binary;
using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>
/// Snapshots of several subvolumes at one instant, under a writer that numbers its writes to a log volume and then
/// to a data volume, as a database writes its WAL before its tables: a group never shows the data ahead of the log,
/// while two snapshots taken one after the other do, so the test can fail.
/// </summary>
public sealed class GroupSnapshotTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const int Rounds = 12;

    [RootFact]
    public void A_group_snapshot_never_shows_the_second_volume_ahead_of_the_first_where_one_after_the_other_does()
    {
        pool.Create("wal", "320M");
        pool.Create("db", "320M");
        var logs = pool.Mount("wal");
        var tables = pool.Mount("db");
        using var writer = new SequenceWriter(Path.Combine(logs, "sequence"), Path.Combine(tables, "sequence"));
        Assert.True(Waiting.Eventually(() => writer.Written > 100, TimeSpan.FromSeconds(30)), "the writer never got going");

        var caughtBetween = 0;
        for (var round = 0; round < Rounds; round++)
        {
            var before = writer.Written;
            pool.Run("snapshot", $"wal@group{round}", $"db@group{round}").ShouldSucceed();
            var (log, data) = (Read("wal", $"group{round}"), Read("db", $"group{round}"));
            Assert.True(data <= log, $"round {round}: the group shows the data volume at {data}, ahead of the log at {log}");
            Assert.True(Waiting.Eventually(() => writer.Written > before + 10, TimeSpan.FromSeconds(30)), "the writer stopped making progress");

            pool.Run("snapshot", $"wal@apart{round}").ShouldSucceed();
            pool.Run("snapshot", $"db@apart{round}").ShouldSucceed();
            if (Read("db", $"apart{round}") > Read("wal", $"apart{round}"))
            {
                caughtBetween++;
            }
        }

        writer.Stop();
        Assert.True(caughtBetween > 0, $"snapshots taken one after the other never caught the writer between the two volumes in {Rounds} rounds, so the group's check proves nothing");
        Assert.Null(writer.Failure);
        pool.Unmount("wal");
        pool.Unmount("db");
    }

    [RootFact]
    public void A_group_that_cannot_be_taken_whole_leaves_no_member_behind()
    {
        pool.Create("g-one", "320M");
        pool.Create("g-two", "320M");
        pool.Run("snapshot", "g-two@taken").ShouldSucceed();

        var refused = pool.Run("snapshot", "g-one@taken", "g-two@taken");

        Assert.Equal(4, refused.ExitCode);
        Assert.Contains("g-two@taken already exists", refused.Stderr);
        Assert.Empty(pool.SnapshotNames("g-one"));
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(pool.PoolPath, "incoming")));
    }

    [RootFact]
    public void A_group_is_recorded_with_one_creation_time_and_answers_json_with_every_member()
    {
        pool.Create("j-one", "320M");
        pool.Create("j-two", "320M", "ext4");
        pool.Mount("j-one");

        var result = pool.Run("snapshot", "j-one@s", "j-two@s", "--json").ShouldSucceed();

        using var document = JsonDocument.Parse(result.Stdout);
        var members = document.RootElement.GetProperty("snapshots").EnumerateArray().ToList();
        Assert.Equal(["j-one@s", "j-two@s"], members.Select(member => member.GetProperty("name").GetString()));
        Assert.Single(members.Select(member => member.GetProperty("created").GetString()).Distinct());
        pool.Unmount("j-one");
    }

    [RootFact]
    public void A_group_snapshot_killed_while_its_members_are_frozen_leaves_both_thawed_and_publishes_nothing()
    {
        pool.Create("k-log", "320M");
        pool.Create("k-data", "320M");
        var log = pool.Mount("k-log");
        var data = pool.Mount("k-data");

        var child = pool.StartPaused("group-snapshot-frozen", "snapshot", "k-log@s", "k-data@s");
        Assert.True(Tools.IsFrozen(log) && Tools.IsFrozen(data), "both members should be frozen at the pause point");
        child.Kill();

        Assert.True(Waiting.Eventually(() => !Tools.IsFrozen(log) && !Tools.IsFrozen(data), TimeSpan.FromSeconds(10)), "the watchdogs should thaw both within 10 s of the kill");
        File.WriteAllText(Path.Combine(log, "after"), "writable");
        File.WriteAllText(Path.Combine(data, "after"), "writable");
        Assert.Empty(pool.SnapshotNames("k-log"));
        Assert.Empty(pool.SnapshotNames("k-data"));
        pool.CheckRepairsToConsistent();
        pool.Unmount("k-log");
        pool.Unmount("k-data");
    }

    [RootFact]
    public void List_shows_the_group_a_snapshot_was_taken_in_and_none_for_one_taken_alone()
    {
        pool.Create("l-one", "320M");
        pool.Create("l-two", "320M");
        using (var opened = Pool.Open(pool.PoolPath))
        {
            opened.EnsureSnapshotGroup("nightly", ["l-one", "l-two"], "csi.subvol.io");
        }

        pool.Run("snapshot", "l-one@alone").ShouldSucceed();

        var groups = pool.Json("list", "-t", "snapshot", "-o", "name,group").EnumerateArray()
            .Where(row => row.GetProperty("name").GetString()!.StartsWith("l-", StringComparison.Ordinal))
            .ToDictionary(row => row.GetProperty("name").GetString()!, row => row.GetProperty("group").GetString());
        Assert.Equal("nightly", groups["l-one@nightly"]);
        Assert.Equal("nightly", groups["l-two@nightly"]);
        Assert.Null(groups["l-one@alone"]);
        var table = pool.Run("list", "-H", "-t", "snapshot", "-o", "name,group", "l-two").ShouldSucceed();
        Assert.Contains("l-two@nightly\tnightly", table.Stdout, StringComparison.Ordinal);
    }

    /// <summary>The number a snapshot's copy of the writer's file holds, read from the snapshot mounted read-only.</summary>
    private long Read(string subvolume, string snapshot)
    {
        var at = Path.Combine(pool.NewDirectory($"read-{subvolume}-{snapshot}"), "mnt");
        pool.Run("mount", $"{subvolume}@{snapshot}", "--at", at).ShouldSucceed();
        try
        {
            var bytes = File.ReadAllBytes(Path.Combine(at, "sequence"));
            return BinaryPrimitives.ReadInt64LittleEndian(bytes);
        }
        finally
        {
            pool.Run("umount", at).ShouldSucceed();
        }
    }
}
