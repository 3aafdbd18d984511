using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ReplicateVerb;

/// <summary>
/// Replicate's own snapshots (sync-TIMESTAMP) and the replication bases it records: what no target needs any more
/// goes on both sides, a run that sent nothing leaves nothing behind, and manual snapshots are never touched.
/// </summary>
public sealed class SyncSnapshotTests(ReplicatePools pools) : IClassFixture<ReplicatePools>
{
    private PoolFixture Source => pools.SourceFixture;

    private PoolFixture Destination => pools.DestinationFixture;

    [RootFact]
    public void Three_replicates_leave_exactly_one_sync_snapshot_on_each_side_and_a_manual_snapshot_survives_on_both()
    {
        const string name = "sync-three";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "manual.bin"), 2 << 20);
        Source.Run("snapshot", $"{name}@before-upgrade").ShouldSucceed();
        Source.Run("replicate", name, Destination.PoolPath, "--no-snapshot").ShouldSucceed();

        var outputs = new List<string>();
        foreach (var round in new[] { "one", "two", "three" })
        {
            Data.WriteRandom(Path.Combine(mounted, $"{round}.bin"), 1 << 20);
            outputs.Add(Source.Run("replicate", name, Destination.PoolPath).ShouldSucceed().Stdout);
        }

        var sourceSnapshots = Source.SnapshotNames(name);
        var destinationSnapshots = Destination.SnapshotNames(name);
        var sync = Assert.Single(sourceSnapshots, snapshot => snapshot.StartsWith("sync-", StringComparison.Ordinal));
        Assert.Equal(["before-upgrade", sync], sourceSnapshots);
        Assert.Equal(["before-upgrade", sync], destinationSnapshots);
        Assert.Equal(Data.Sha256(Source.SnapshotImage(name, sync)), Data.Sha256(Destination.SnapshotImage(name, sync)));
        // Each run after the first destroyed the sync snapshot before it, here and there.
        Assert.Contains($"destroyed {name}@sync-", outputs[2]);
        Assert.Contains($"at {Destination.PoolPath}", outputs[2]);
        Source.Unmount(name);
    }

    [RootFact]
    public void The_sync_snapshot_is_named_by_SUBVOL_NOW_and_listed_as_the_base_for_its_target()
    {
        const string name = "sync-base";
        Source.Create(name, "320M");
        Data.WriteRandom(Path.Combine(Source.Mount(name), "data.bin"), 2 << 20);

        Source.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_NOW"] = "2026-12-04T17:00:00Z" }, "replicate", name, Destination.PoolPath).ShouldSucceed();

        var snapshot = Source.Json("list", "-t", "snapshot", name).EnumerateArray().Single();
        Assert.Equal("sync-2026-12-04T170000Z", snapshot.GetProperty("snapshot").GetString());
        Assert.Equal([Destination.PoolPath], snapshot.GetProperty("base_for").EnumerateArray().Select(target => target.GetString()));
        var table = Source.Run("list", "-t", "snapshot", name).ShouldSucceed().Stdout;
        Assert.Contains("BASE_FOR", table);
        Assert.Contains(Destination.PoolPath, table);
        // The destination records no base of its own for what it received.
        Assert.Empty(Destination.Json("list", "-t", "snapshot", name).EnumerateArray().Single().GetProperty("base_for").EnumerateArray());
        Source.Unmount(name);
    }

    [RootFact]
    public void A_recorded_base_follows_a_renamed_subvolume_and_check_finds_nothing_wrong_with_it()
    {
        const string name = "sync-renamed";
        Source.Create(name, "320M");
        Data.WriteRandom(Path.Combine(Source.Mount(name), "data.bin"), 2 << 20);
        Source.Run("replicate", name, Destination.PoolPath).ShouldSucceed();
        Source.Unmount(name);

        Source.Run("rename", name, $"{name}-2").ShouldSucceed();

        var snapshot = Source.Json("list", "-t", "snapshot", $"{name}-2").EnumerateArray().Single();
        Assert.Equal([Destination.PoolPath], snapshot.GetProperty("base_for").EnumerateArray().Select(target => target.GetString()));
        Source.Run("check").ShouldSucceed();
        Source.Run("delete", "--recursive", $"{name}-2").ShouldSucceed();
    }

    [RootFact]
    public void A_pool_rebuilt_from_its_images_keeps_each_targets_base_so_a_replicate_to_one_target_keeps_the_snapshot_another_needs()
    {
        const string name = "sync-rebuilt";
        var second = Path.Combine(pools.NewDirectory("second-target"), "pool");
        Source.Run("pool", "create", second, "--image", second + ".img", "--size", "2G", "--sparse").ShouldSucceed();
        try
        {
            Source.Create(name, "320M");
            var mounted = Source.Mount(name);
            Data.WriteRandom(Path.Combine(mounted, "one.bin"), 2 << 20);
            Source.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_NOW"] = "2026-12-04T17:00:00Z" }, "replicate", name, Destination.PoolPath).ShouldSucceed();
            Data.WriteRandom(Path.Combine(mounted, "two.bin"), 1 << 20);
            Source.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_NOW"] = "2026-12-04T18:00:00Z" }, "replicate", name, second).ShouldSucceed();
            File.Delete(Path.Combine(Source.PoolPath, ".subvol", "pool.db"));

            var repair = Source.Run("check", "--repair").ShouldSucceed().Stdout;

            Assert.Contains($"restored '{name}@sync-2026-12-04T170000Z' as the replication base for {Destination.PoolPath}", repair);
            Assert.Contains($"restored '{name}@sync-2026-12-04T180000Z' as the replication base for {second}", repair);
            Assert.Equal([Destination.PoolPath], BaseFor(name, "sync-2026-12-04T170000Z"));
            Assert.Equal([second], BaseFor(name, "sync-2026-12-04T180000Z"));

            // A replicate to the second target destroys its own older base, and keeps the first target's.
            Data.WriteRandom(Path.Combine(mounted, "three.bin"), 1 << 20);
            Source.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_NOW"] = "2026-12-04T19:00:00Z" }, "replicate", name, second).ShouldSucceed();
            Assert.Equal(["sync-2026-12-04T170000Z", "sync-2026-12-04T190000Z"], Source.SnapshotNames(name));
            var incremental = Source.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_NOW"] = "2026-12-04T20:00:00Z" }, "replicate", name, Destination.PoolPath).ShouldSucceed().Stdout;
            Assert.Contains("from sync-2026-12-04T170000Z", incremental);
            Source.Run("check").ShouldSucceed();
        }
        finally
        {
            if (Kernel.MountAt(Path.Combine(Source.PoolPath, "mounts", name)) is not null)
            {
                Source.Unmount(name);
            }

            Source.Run("pool", "export", second);
        }
    }

    private IEnumerable<string?> BaseFor(string subvolume, string snapshot) =>
        Source.Json("list", "-t", "snapshot", subvolume).EnumerateArray()
            .Single(row => row.GetProperty("snapshot").GetString() == snapshot)
            .GetProperty("base_for").EnumerateArray().Select(target => target.GetString()).ToList();

    [RootFact]
    public void A_replicate_to_a_destination_that_is_no_pool_removes_the_snapshot_it_took_and_says_so()
    {
        const string name = "sync-nowhere";
        Source.Create(name, "320M");
        Source.Run("snapshot", $"{name}@manual").ShouldSucceed();
        var nowhere = Source.NewDirectory("not-a-pool");

        var failed = Source.Run("replicate", name, nowhere).ShouldFailWith(3);

        Assert.Single(failed.StderrLines);
        Assert.Contains("removed the snapshot", failed.Stderr);
        Assert.Equal(["manual"], Source.SnapshotNames(name));
    }

    [RootFact]
    public void A_replicate_to_an_unreachable_ssh_destination_takes_no_snapshot()
    {
        const string name = "sync-unreachable";
        Source.Create(name, "320M");
        // Stands in for an ssh that cannot reach its host: ssh exits 255 and says so.
        var ssh = Path.Combine(Source.NewDirectory("unreachable-ssh"), "ssh");
        File.WriteAllText(ssh, "#!/bin/sh\necho 'ssh: connect to host nas port 22: No route to host' >&2\nexit 255\n");
        Tools.Run("chmod", "+x", ssh).ShouldSucceed();

        var failed = Source.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_SSH"] = ssh }, "replicate", name, "ssh://nas/srv/pool");

        Assert.NotEqual(0, failed.ExitCode);
        Assert.Contains("No route to host", failed.Stderr);
        Assert.Contains("removed the snapshot", failed.Stderr);
        Assert.Empty(Source.SnapshotNames(name));
    }

    [RootFact]
    public void Replicate_json_lists_the_sync_snapshots_it_destroyed_and_still_names_the_one_it_sent()
    {
        const string name = "sync-json";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "a.bin"), 1 << 20);
        Source.Run("replicate", name, Destination.PoolPath).ShouldSucceed();
        var first = Assert.Single(Source.SnapshotNames(name));
        Data.WriteRandom(Path.Combine(mounted, "b.bin"), 1 << 20);

        using var document = JsonDocument.Parse(Source.Run("replicate", name, Destination.PoolPath, "--json").ShouldSucceed().Stdout);

        var second = Assert.Single(Source.SnapshotNames(name));
        Assert.Equal($"{name}@{second}", document.RootElement.GetProperty("snapshot").GetProperty("name").GetString());
        var steps = document.RootElement.GetProperty("steps").EnumerateArray().Select(step => (step.GetProperty("step").GetString(), step.GetProperty("name").GetString())).ToList();
        Assert.Contains(("destroyed_here", $"{name}@{first}"), steps);
        Assert.Contains(("destroyed_at_destination", $"{name}@{first}"), steps);
        Source.Unmount(name);
    }
}
