using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>Snapshots, clones and rollback on XFS subvolumes, through the command line.</summary>
public sealed class SnapshotTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const long MiB = 1 << 20;

    [RootFact]
    public void Snapshot_taken_while_a_writer_is_writing_mounts_read_only_and_passes_xfs_repair()
    {
        pool.Create("busy", "512M");
        var mountPoint = pool.Mount("busy");
        var stop = Path.Combine(pool.NewDirectory("busy-writer"), "stop");
        // Rewrites random 256 KiB pieces of a 16 MiB file with fsync, and makes and removes small files, without pause.
        var script = $$"""
            cd '{{mountPoint}}' || exit 1
            mkdir -p small && truncate -s 16M data || exit 1
            i=0
            while [ ! -e '{{stop}}' ]; do
              dd if=/dev/urandom of=data bs=64k count=4 seek=$(( (i * 7) % 253 )) conv=notrunc,fsync status=none || exit 2
              echo "line $i" >> log || exit 3
              echo "$i" > "small/f$i" || exit 4
              rm -f "small/f$(( i - 30 ))" || exit 5
              i=$(( i + 1 ))
            done
            sync -f . || exit 6
            echo "$i iterations"
            """;
        using var writer = pool.Track(ChildProcess.Start("/bin/bash", ["-c", script]));
        Assert.True(Waiting.Eventually(() => File.Exists(Path.Combine(mountPoint, "log")) || writer.HasExited, TimeSpan.FromSeconds(30)), "the writer never started");

        var snapshots = new[] { "w1", "w2", "w3" };
        foreach (var snapshot in snapshots)
        {
            Thread.Sleep(300);
            Assert.True(!writer.HasExited, writer.HasExited ? $"the writer stopped early: {writer.Result(writer.ExitCode)}" : "");
            pool.Run("snapshot", $"busy@{snapshot}").ShouldSucceed();
        }

        File.WriteAllText(stop, "");
        var written = writer.Finish(TimeSpan.FromSeconds(60));
        Assert.True(written.ExitCode == 0, $"every write of the writer should succeed across the snapshots: {written}");
        Assert.False(Tools.IsFrozen(mountPoint), "the subvolume must be thawed after the snapshots");

        foreach (var snapshot in snapshots)
        {
            var snapshotMount = pool.Mount($"busy@{snapshot}");
            var mount = Kernel.MountAt(snapshotMount)!;
            Assert.True(mount.ReadOnly, $"busy@{snapshot} should be mounted read-only: {string.Join(',', mount.Options)}");
            var tree = Data.Tree(snapshotMount);
            Assert.Contains("data", tree.Keys);
            Assert.Contains("log", tree.Keys);
            Assert.Equal(16 * MiB, new FileInfo(Path.Combine(snapshotMount, "data")).Length);
            var write = Record.Exception(() => File.WriteAllText(Path.Combine(snapshotMount, "new-file"), "no"));
            Assert.True(write is IOException or UnauthorizedAccessException, $"writing into a snapshot mount should fail: {write}");
            pool.Unmount($"busy@{snapshot}");

            // A frozen, still-mounted XFS has no unmount record, so the image is crash-consistent: its log
            // wants replaying (DESIGN.md, "Freezing"), and xfs_repair -n on it alone reports the stale
            // superblock counters. A clone replays the log (a reflink copy, mounted once); then the
            // filesystem must be wholly clean.
            var check = $"busy-{snapshot}-check";
            pool.Run("clone", $"busy@{snapshot}", check).ShouldSucceed();
            Tools.Run("xfs_repair", "-n", "-f", pool.SubvolumeImage(check)).ShouldSucceed();
            Assert.Equal(tree, Data.Tree(pool.Mount(check)));
            pool.Unmount(check);
            pool.Run("delete", check).ShouldSucceed();
        }

        pool.Unmount("busy");
    }

    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void A_snapshot_of_a_filesystem_another_program_froze_is_refused_and_leaves_it_frozen(bool group)
    {
        var name = group ? "frozen-member" : "frozen-alone";
        pool.Create(name, "320M");
        pool.Create(name + "-other", "320M");
        var mountPoint = pool.Mount(name);
        pool.Mount(name + "-other");
        Tools.Run("fsfreeze", "-f", mountPoint).ShouldSucceed();
        try
        {
            string[] targets = group ? [$"{name}@s", $"{name}-other@s"] : [$"{name}@s"];

            var result = pool.Run(["snapshot", .. targets]).ShouldFailWith(5);

            Assert.Contains($"cannot snapshot '{name}': its filesystem at {mountPoint} is frozen already, by fsfreeze or another program, and is left so", result.Stderr);
            pool.Run("list").ShouldSucceed();
            // Thawing succeeds only on a frozen filesystem: neither the refused snapshot nor the next command thawed it.
            Tools.Run("fsfreeze", "-u", mountPoint).ShouldSucceed();
            Assert.Empty(pool.Json("list", "-t", "snapshot", name).EnumerateArray());
            Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(pool.PoolPath, ".subvol", "freezes")));
            pool.Run(["snapshot", .. targets]).ShouldSucceed();
        }
        finally
        {
            Tools.Run("fsfreeze", "-u", mountPoint);
            pool.Unmount(name + "-other");
            pool.Unmount(name);
        }
    }

    [RootFact]
    public void Snapshot_images_are_immutable()
    {
        pool.Create("still", "320M");
        pool.Run("snapshot", "still@unmounted").ShouldSucceed();
        var mountPoint = pool.Mount("still");
        Data.WriteRandom(Path.Combine(mountPoint, "a.bin"), MiB);
        pool.Run("snapshot", "still@mounted").ShouldSucceed();
        pool.Unmount("still");

        foreach (var snapshot in new[] { "unmounted", "mounted" })
        {
            var image = pool.SnapshotImage("still", snapshot);
            var attributes = Tools.Run("lsattr", image).ShouldSucceed();
            Assert.True(attributes.Stdout.Split(' ')[0].Contains('i'), $"lsattr should show 'i': {attributes}");

            // open(2) for writing fails with EPERM, which .NET reports as UnauthorizedAccessException.
            Assert.Throws<UnauthorizedAccessException>(() => new FileStream(image, FileMode.Open, FileAccess.Write).Dispose());
            var shell = Tools.Bash($"exec 3<>'{image}'");
            Assert.True(shell.ExitCode != 0 && shell.Stderr.Contains("Operation not permitted"), $"opening for writing should fail with EPERM: {shell}");
            Assert.Throws<UnauthorizedAccessException>(() => File.Delete(image));
            Assert.True(File.Exists(image));
        }

        pool.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void Clone_and_origin_are_independent_both_ways_and_mount_side_by_side()
    {
        pool.Create("origin", "320M");
        var origin = pool.Mount("origin");
        var shared = Data.WriteRandom(Path.Combine(origin, "shared.bin"), 4 * MiB);
        pool.Run("snapshot", "origin@base").ShouldSucceed();
        pool.Run("clone", "origin@base", "copy").ShouldSucceed();

        // Side by side: XFS refuses two mounted filesystems with one UUID, so the clone needs its own.
        var copy = pool.Mount("copy");
        Assert.NotNull(Kernel.MountAt(origin));
        Assert.NotEqual(Tools.FileSystemUuid(pool.SubvolumeImage("origin")), Tools.FileSystemUuid(pool.SubvolumeImage("copy")));
        Assert.Equal(shared, Data.Sha256(Path.Combine(copy, "shared.bin")));

        // Origin to clone.
        var originChanged = Data.WriteRandom(Path.Combine(origin, "shared.bin"), 4 * MiB);
        var originOnly = Data.WriteRandom(Path.Combine(origin, "origin-only.bin"), MiB);
        // Clone to origin.
        var copyChanged = Data.WriteRandom(Path.Combine(copy, "shared.bin"), 4 * MiB);
        var copyOnly = Data.WriteRandom(Path.Combine(copy, "copy-only.bin"), MiB);

        var expectedOrigin = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["origin-only.bin"] = originOnly, ["shared.bin"] = originChanged };
        var expectedCopy = new SortedDictionary<string, string>(StringComparer.Ordinal) { ["copy-only.bin"] = copyOnly, ["shared.bin"] = copyChanged };
        Assert.Equal(expectedOrigin, Data.Tree(origin));
        Assert.Equal(expectedCopy, Data.Tree(copy));

        // From the images, not the page cache: unmount both and look again.
        pool.Unmount("origin");
        pool.Unmount("copy");
        Assert.Equal(expectedCopy, Data.Tree(pool.Mount("copy")));
        Assert.Equal(expectedOrigin, Data.Tree(pool.Mount("origin")));

        // The snapshot both came from is unchanged.
        var snapshot = pool.Mount("origin@base");
        Assert.Equal(new SortedDictionary<string, string>(StringComparer.Ordinal) { ["shared.bin"] = shared }, Data.Tree(snapshot));

        var snapshotGuid = pool.Json("list", "-t", "snapshot", "origin").EnumerateArray().Single().GetProperty("guid").GetString();
        var copyRow = pool.Json("list", "copy").EnumerateArray().Single();
        Assert.Equal(snapshotGuid, copyRow.GetProperty("origin_snapshot").GetString());

        pool.Unmount("origin@base");
        pool.Unmount("origin");
        pool.Unmount("copy");
    }

    [RootFact]
    public void Rollback_restores_exact_bytes_and_is_refused_while_mounted_or_with_newer_snapshots_unless_forced()
    {
        pool.Create("rb", "320M");
        var mountPoint = pool.Mount("rb");
        Directory.CreateDirectory(Path.Combine(mountPoint, "dir"));
        Data.WriteRandom(Path.Combine(mountPoint, "dir", "a.bin"), 8 * MiB);
        Data.WriteRandom(Path.Combine(mountPoint, "b.bin"), MiB);
        var before = Data.Tree(mountPoint);
        pool.Run("snapshot", "rb@one").ShouldSucceed();

        Data.WriteRandom(Path.Combine(mountPoint, "dir", "a.bin"), 8 * MiB);
        File.Delete(Path.Combine(mountPoint, "b.bin"));
        Data.WriteRandom(Path.Combine(mountPoint, "c.bin"), 2 * MiB);
        pool.Run("snapshot", "rb@two").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mountPoint, "d.bin"), MiB);
        Assert.NotEqual(before, Data.Tree(mountPoint));

        var mounted = pool.Run("rollback", "rb@one", "--force").ShouldFailWith(5);
        Assert.Contains("mounted", mounted.Stderr);
        pool.Run("rollback", "rb@two").ShouldFailWith(5);
        pool.Unmount("rb");

        var newer = pool.Run("rollback", "rb@one").ShouldFailWith(5);
        Assert.Contains("--force", newer.Stderr);
        Assert.Contains("two", newer.Stderr);
        Assert.Equal(["one", "two"], pool.SnapshotNames("rb"));
        Assert.True(File.Exists(pool.SnapshotImage("rb", "two")));

        pool.Run("rollback", "rb@one", "--force").ShouldSucceed();
        Assert.Equal(["one"], pool.SnapshotNames("rb"));
        Assert.False(File.Exists(pool.SnapshotImage("rb", "two")), "--force should destroy the newer snapshot's image");
        Assert.Equal(Data.Sha256(pool.SnapshotImage("rb", "one")), Data.Sha256(pool.SubvolumeImage("rb")));

        mountPoint = pool.Mount("rb");
        Assert.Equal(before, Data.Tree(mountPoint));

        // The restored subvolume is writable, and writing to it leaves the snapshot as it was.
        Data.WriteRandom(Path.Combine(mountPoint, "after.bin"), MiB);
        pool.Unmount("rb");
        Assert.NotEqual(Data.Sha256(pool.SnapshotImage("rb", "one")), Data.Sha256(pool.SubvolumeImage("rb")));
        Assert.Equal(before, Data.Tree(pool.Mount("rb@one")));
        pool.Unmount("rb@one");
        pool.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void Check_tells_to_roll_back_a_subvolume_whose_image_is_lost_and_the_rollback_it_names_restores_it()
    {
        pool.Create("lost", "320M");
        pool.Run("snapshot", "lost@kept").ShouldSucceed();
        File.Delete(pool.SubvolumeImage("lost"));
        try
        {
            var check = pool.Run("check");
            Assert.True(check.ExitCode == 10, $"a lost image leaves the pool inconsistent: {check}");
            Assert.Contains("needs you: the image of subvolume 'lost' is missing; restore it from a snapshot with 'subvol rollback lost@SNAPSHOT'", check.Stdout);
        }
        finally
        {
            // The other tests of the class check the same pool, so the remedy is applied whatever happened above.
            pool.Run("rollback", "lost@kept").ShouldSucceed();
        }

        Assert.Equal(Data.Sha256(pool.SnapshotImage("lost", "kept")), Data.Sha256(pool.SubvolumeImage("lost")));
        pool.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void A_snapshot_taken_with_SUBVOL_NOW_set_records_that_time_and_is_named_by_it()
    {
        pool.Create("clocked", "320M");

        pool.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_NOW"] = "2026-12-04T17:00:00Z" }, "snapshot", "clocked").ShouldSucceed();

        var snapshot = pool.Json("list", "-t", "snapshot", "clocked").EnumerateArray().Single();
        Assert.Equal("2026-12-04T170000Z", snapshot.GetProperty("snapshot").GetString());
        Assert.Equal("2026-12-04T17:00:00.000Z", snapshot.GetProperty("created").GetString());
    }

    [RootFact]
    public void A_malformed_SUBVOL_NOW_is_one_error_line_naming_it_and_takes_no_snapshot()
    {
        pool.Create("misclocked", "320M");

        var refused = pool.Cli.RunWith(new Dictionary<string, string?> { ["SUBVOL_NOW"] = "next tuesday" }, "snapshot", "misclocked").ShouldFailWith(2);

        var line = Assert.Single(refused.StderrLines);
        Assert.Contains("SUBVOL_NOW", line);
        Assert.Contains("'next tuesday'", line);
        Assert.Contains("2026-12-04T17:00:00Z", line);
        Assert.Empty(pool.SnapshotNames("misclocked"));
    }

    [RootFact]
    public void Destroy_of_several_snapshots_of_two_subvolumes_destroys_them_all_and_lists_each_in_json()
    {
        pool.Create("batch-a", "320M");
        pool.Create("batch-b", "320M");
        foreach (var snapshot in new[] { "batch-a@one", "batch-a@two", "batch-a@three", "batch-b@one" })
        {
            pool.Run("snapshot", snapshot).ShouldSucceed();
        }

        var result = pool.Json("destroy", "batch-a@one", "batch-b@one", "batch-a@three");

        Assert.True(result.GetProperty("changed").GetBoolean());
        Assert.Equal(["batch-a@one", "batch-a@three", "batch-b@one"], result.GetProperty("destroyed").EnumerateArray().Select(row => row.GetProperty("name").GetString()).Order(StringComparer.Ordinal));
        Assert.Equal(["two"], pool.SnapshotNames("batch-a"));
        Assert.Empty(pool.SnapshotNames("batch-b"));
        Assert.False(File.Exists(pool.SnapshotImage("batch-a", "one")));
        Assert.False(Directory.Exists(Path.Combine(pool.PoolPath, "snapshots", "batch-b")));
    }

    [RootFact]
    public void Destroy_destroys_the_snapshots_that_exist_reports_each_missing_one_and_exits_3()
    {
        pool.Create("batch-gap", "320M");
        pool.Run("snapshot", "batch-gap@kept-going").ShouldSucceed();
        pool.Run("snapshot", "batch-gap@also").ShouldSucceed();

        var result = pool.Run("destroy", "batch-gap@kept-going", "batch-gap@never", "nosuch@thing", "batch-gap@also").ShouldFailWith(3);

        Assert.Contains("'never'", result.StderrLines[0]);
        Assert.Contains("'nosuch'", result.StderrLines[0]);
        Assert.Contains("destroyed batch-gap@kept-going", result.Stderr);
        Assert.Empty(pool.SnapshotNames("batch-gap"));
    }

    [RootFact]
    public void Destroy_of_several_snapshots_destroys_none_while_one_is_mounted()
    {
        pool.Create("batch-mounted", "320M");
        pool.Run("snapshot", "batch-mounted@free").ShouldSucceed();
        pool.Run("snapshot", "batch-mounted@browsed").ShouldSucceed();
        pool.Mount("batch-mounted@browsed");

        var refused = pool.Run("destroy", "batch-mounted@free", "batch-mounted@browsed").ShouldFailWith(5);

        Assert.Contains("batch-mounted@browsed", refused.Stderr);
        Assert.Equal(["browsed", "free"], pool.SnapshotNames("batch-mounted"));
        pool.Unmount("batch-mounted@browsed");
    }
}
