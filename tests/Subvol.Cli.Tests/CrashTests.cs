using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>
/// A subvol process killed with SIGKILL at each pause point leaves the old state or the new one,
/// plus at most leftovers that check reports and check --repair removes.
/// </summary>
public sealed class CrashTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const long MiB = 1 << 20;

    [RootFact]
    public void Killed_at_create_formatted_leaves_no_subvolume_or_a_whole_one()
    {
        KillAt("create-formatted", "create", "k-create", "--size", "320M");
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        if (pool.SubvolumeNames().Contains("k-create"))
        {
            pool.Mount("k-create");
            pool.Unmount("k-create");
        }

        pool.Create("k-create", "320M");
        var mountPoint = pool.Mount("k-create");
        Data.WriteRandom(Path.Combine(mountPoint, "a.bin"), MiB);
        pool.Unmount("k-create");
    }

    [RootFact]
    public void Killed_at_snapshot_published_leaves_no_snapshot_or_a_whole_one()
    {
        pool.Create("k-snap", "320M");
        var mountPoint = pool.Mount("k-snap");
        var tree = WriteSome(mountPoint);

        KillAt("snapshot-published", "snapshot", "k-snap@s");
        Assert.False(Tools.IsFrozen(mountPoint), "the freeze ends before the snapshot is published");
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        if (pool.SnapshotNames("k-snap").Contains("s"))
        {
            Assert.Contains("i", Tools.Run("lsattr", pool.SnapshotImage("k-snap", "s")).ShouldSucceed().Stdout.Split(' ')[0]);
            Assert.Equal(tree, Data.Tree(pool.Mount("k-snap@s")));
            pool.Unmount("k-snap@s");
        }
        else
        {
            pool.Run("snapshot", "k-snap@s").ShouldSucceed();
        }

        pool.Run("snapshot", "k-snap@after").ShouldSucceed();
        Assert.Equal(["after", "s"], pool.SnapshotNames("k-snap"));
        pool.Unmount("k-snap");
    }

    [RootFact]
    public void Killed_at_clone_renewed_leaves_no_clone_or_a_whole_one()
    {
        pool.Create("k-clone", "320M");
        var tree = WriteSome(pool.Mount("k-clone"));
        pool.Unmount("k-clone");
        pool.Run("snapshot", "k-clone@s").ShouldSucceed();

        KillAt("clone-renewed", "clone", "k-clone@s", "k-clone-copy");
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        if (!pool.SubvolumeNames().Contains("k-clone-copy"))
        {
            pool.Run("clone", "k-clone@s", "k-clone-copy").ShouldSucceed();
        }

        // Side by side with its origin, so it has a UUID of its own.
        pool.Mount("k-clone");
        Assert.Equal(tree, Data.Tree(pool.Mount("k-clone-copy")));
        pool.Unmount("k-clone-copy");
        pool.Unmount("k-clone");
    }

    [RootFact]
    public void Killed_at_delete_unlinking_leaves_the_subvolume_gone()
    {
        pool.Create("k-delete", "320M");
        WriteSome(pool.Mount("k-delete"));
        pool.Unmount("k-delete");
        pool.Run("snapshot", "k-delete@s").ShouldSucceed();

        KillAt("delete-unlinking", "delete", "k-delete", "--recursive");
        Assert.DoesNotContain("k-delete", pool.SubvolumeNames());
        Assert.DoesNotContain("k-delete@s", pool.AllSnapshotFullNames());
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        Assert.False(File.Exists(pool.SubvolumeImage("k-delete")));
        Assert.False(File.Exists(pool.SnapshotImage("k-delete", "s")));

        pool.Create("k-delete", "320M");
        pool.Run("delete", "k-delete").ShouldSucceed();
    }

    [RootFact]
    public void Killed_at_destroy_unlinking_leaves_the_snapshot_gone()
    {
        pool.Create("k-destroy", "320M");
        WriteSome(pool.Mount("k-destroy"));
        pool.Run("snapshot", "k-destroy@s").ShouldSucceed();

        KillAt("destroy-unlinking", "destroy", "k-destroy@s");
        Assert.Empty(pool.SnapshotNames("k-destroy"));
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        Assert.False(File.Exists(pool.SnapshotImage("k-destroy", "s")));

        pool.Run("snapshot", "k-destroy@s").ShouldSucceed();
        pool.Unmount("k-destroy");
    }

    [RootFact]
    public void Killed_at_rollback_replaced_leaves_the_old_or_the_restored_subvolume_and_whole_snapshots()
    {
        pool.Create("k-rollback", "320M");
        var mountPoint = pool.Mount("k-rollback");
        var one = WriteSome(mountPoint);
        pool.Run("snapshot", "k-rollback@one").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mountPoint, "two.bin"), MiB);
        var two = Data.Tree(mountPoint);
        pool.Run("snapshot", "k-rollback@two").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mountPoint, "three.bin"), MiB);
        var three = Data.Tree(mountPoint);
        pool.Unmount("k-rollback");

        KillAt("rollback-replaced", "rollback", "k-rollback@one", "--force");
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        var snapshots = pool.SnapshotNames("k-rollback");
        Assert.Contains("one", snapshots);
        var now = Data.Tree(pool.Mount("k-rollback"));
        Assert.True(now.SequenceEqual(one) || now.SequenceEqual(three), "the subvolume holds either its old data or the snapshot's");
        pool.Unmount("k-rollback");
        Assert.Equal(one, Data.Tree(pool.Mount("k-rollback@one")));
        pool.Unmount("k-rollback@one");
        if (snapshots.Contains("two"))
        {
            Assert.Equal(two, Data.Tree(pool.Mount("k-rollback@two")));
            pool.Unmount("k-rollback@two");
        }

        // Asking again finishes the job.
        pool.Run("rollback", "k-rollback@one", "--force").ShouldSucceed();
        Assert.Equal(["one"], pool.SnapshotNames("k-rollback"));
        Assert.Equal(one, Data.Tree(pool.Mount("k-rollback")));
        pool.Unmount("k-rollback");
        pool.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void Killed_at_rename_recorded_leaves_exactly_one_of_the_names()
    {
        pool.Create("k-rename", "320M");
        var tree = WriteSome(pool.Mount("k-rename"));
        pool.Run("snapshot", "k-rename@s").ShouldSucceed();
        pool.Unmount("k-rename");

        KillAt("rename-recorded", "rename", "k-rename", "k-renamed");
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        var names = pool.SubvolumeNames().Where(name => name is "k-rename" or "k-renamed").ToList();
        var name = Assert.Single(names);
        Assert.Equal(tree, Data.Tree(pool.Mount(name)));
        pool.Unmount(name);
        Assert.Equal(tree, Data.Tree(pool.Mount($"{name}@s")));
        pool.Unmount($"{name}@s");

        if (name == "k-rename")
        {
            pool.Run("rename", "k-rename", "k-renamed").ShouldSucceed();
        }

        Assert.Contains("k-renamed", pool.SubvolumeNames());
        Assert.DoesNotContain("k-rename", pool.SubvolumeNames());
        pool.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void Watchdog_thaws_the_filesystem_after_SIGKILL_at_snapshot_frozen_without_another_command()
    {
        pool.Create("k-frozen", "320M");
        var mountPoint = pool.Mount("k-frozen");
        var tree = WriteSome(mountPoint);

        KillAt("snapshot-frozen", ["snapshot", "k-frozen@s"], () =>
            Assert.True(Tools.IsFrozen(mountPoint), "the subvolume should be frozen at snapshot-frozen"));
        Assert.True(Waiting.Eventually(() => !Tools.IsFrozen(mountPoint), TimeSpan.FromSeconds(10)), "the watchdog should thaw within 10 s of the kill");
        AssertWritable(mountPoint);

        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        Assert.Empty(pool.SnapshotNames("k-frozen"));
        File.Delete(Path.Combine(mountPoint, "after-kill"));
        pool.Run("snapshot", "k-frozen@s").ShouldSucceed();
        Assert.Equal(tree, Data.Tree(pool.Mount("k-frozen@s")));
        pool.Unmount("k-frozen@s");
        pool.Unmount("k-frozen");
    }

    [RootFact]
    public void Next_command_thaws_and_warns_when_the_freezer_and_its_watchdog_were_both_killed()
    {
        pool.Create("k-orphan-freeze", "320M");
        var mountPoint = pool.Mount("k-orphan-freeze");
        WriteSome(mountPoint);

        var child = pool.StartPaused("snapshot-frozen", "snapshot", "k-orphan-freeze@s");
        Assert.True(Tools.IsFrozen(mountPoint), "the subvolume should be frozen at snapshot-frozen");
        // The watchdog carries the environment of the process that started it; kill it first, so it cannot react.
        var watchdogs = Kernel.ProcessesWithEnvironment(pool.ConfigurationDirectory).Where(pid => pid != child.Id).ToList();
        Assert.True(watchdogs.Count > 0, "a snapshot of a mounted subvolume should have started a thaw watchdog");
        foreach (var pid in watchdogs)
        {
            Tools.Run("kill", "-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        child.Kill();
        Thread.Sleep(2000);
        Assert.True(Tools.IsFrozen(mountPoint), "with its freezer and watchdog gone, nothing but the next command thaws it");

        var next = pool.Run("list").ShouldSucceed();
        Assert.Contains("subvol: warning: ", next.Stderr);
        Assert.Contains(mountPoint, next.Stderr);
        Assert.False(Tools.IsFrozen(mountPoint), "the next command should have thawed it");
        AssertWritable(mountPoint);
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        pool.Unmount("k-orphan-freeze");
    }

    [RootTheory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public void A_second_signal_at_snapshot_frozen_stops_at_once_and_the_filesystem_is_thawed(string signal)
    {
        var name = $"k-signal-{signal.ToLowerInvariant()}";
        pool.Create(name, "320M");
        var mountPoint = pool.Mount(name);
        WriteSome(mountPoint);

        var child = pool.StartPaused("snapshot-frozen", "snapshot", $"{name}@s");
        try
        {
            child.Signal(signal);
            Thread.Sleep(1000);
            Assert.False(child.HasExited, $"the first SIG{signal} lets the current step finish: {(child.HasExited ? child.Result(child.ExitCode) : null)}");
            Assert.True(Tools.IsFrozen(mountPoint), "still inside the step between freeze and thaw");

            child.Signal(signal);
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(10)), $"the second SIG{signal} should stop it at once");
        }
        finally
        {
            // A child that outlived a failed assertion would hold the pool's write lock and stall every later test of the class.
            if (!child.HasExited)
            {
                child.Kill();
            }
        }

        var result = child.Result(child.ExitCode);
        Assert.True(result.ExitCode == 130, $"interrupted means exit 130: {result}");
        Assert.True(Waiting.Eventually(() => !Tools.IsFrozen(mountPoint), TimeSpan.FromSeconds(10)), "the filesystem should be thawed within 10 s");
        AssertWritable(mountPoint);
        pool.CheckRepairsToConsistent();
        pool.AssertFilesMatchListing();
        pool.Unmount(name);
    }

    /// <summary>
    /// An encrypted subvolume is mounted whole at a private point under .subvol for a moment, its key added there: a
    /// process killed then leaves that mount holding the filesystem, its loop device and its key. check names it (and
    /// nothing inside it), repair unmounts it so that autoclear detaches the device, and the subvolume mounts again.
    /// </summary>
    [RootFact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Killed_while_an_encrypted_subvolume_is_mounted_at_its_staging_point_leaves_a_mount_that_repair_takes_away()
    {
        var passphrase = Secrets.PassphraseFile(pool.NewDirectory("k-staged-keys"), "staged passphrase");
        pool.Run("create", "k-staged", "--size", "32M", "--fs", "ext4", "--encrypt", "--passphrase-file", passphrase).ShouldSucceed();
        var image = pool.SubvolumeImage("k-staged");
        var metadata = Path.Combine(pool.PoolPath, ".subvol");

        KillAt("encrypted-mount-staged", "mount", "k-staged", "--passphrase-file", passphrase);
        var staged = Assert.Single(Kernel.MountsUnder(metadata));
        Assert.StartsWith(Path.Combine(metadata, "mounting-"), staged.Target);
        Assert.Null(Kernel.MountAt(pool.DefaultMountPoint("k-staged")));

        var check = pool.Run("check", "--json");
        Assert.True(check.ExitCode == 10, $"check should find the leftover: {check}");
        using (var report = JsonDocument.Parse(check.Stdout))
        {
            var findings = report.RootElement.GetProperty("findings").EnumerateArray().ToList();
            var leftover = Assert.Single(findings, finding => finding.GetProperty("kind").GetString() == "leftover_staging_mount");
            Assert.Equal(staged.Target, leftover.GetProperty("subject").GetString());
            Assert.DoesNotContain(findings, finding => finding.GetProperty("subject").GetString()!.StartsWith(staged.Target + "/", StringComparison.Ordinal));
        }

        pool.CheckRepairsToConsistent();
        Assert.Empty(Kernel.MountsUnder(metadata));
        Assert.False(Directory.Exists(staged.Target), $"repair should remove {staged.Target}");
        Assert.True(Waiting.Eventually(() => Kernel.LoopDevices().All(device => device.BackingFile != image), TimeSpan.FromSeconds(10)),
            "the loop device of the staged mount should be detached with its last mount");

        pool.Run("mount", "k-staged", "--passphrase-file", passphrase).ShouldSucceed();
        File.WriteAllText(Path.Combine(pool.DefaultMountPoint("k-staged"), "after-repair.txt"), "mounted again");
        pool.Unmount("k-staged");
        pool.AssertFilesMatchListing();

        // Killed before the mount or after the unmount, a staging point is an empty directory, which repair removes; one
        // holding files is someone else's, reported and left.
        var empty = Directory.CreateDirectory(Path.Combine(metadata, "mounting-0123456789abcdef0123456789abcdef")).FullName;
        pool.CheckRepairsToConsistent();
        Assert.False(Directory.Exists(empty), $"repair should remove the empty {empty}");
        var kept = Directory.CreateDirectory(Path.Combine(metadata, "mounting-fedcba9876543210fedcba9876543210")).FullName;
        File.WriteAllText(Path.Combine(kept, "notes.txt"), "not the pool's");
        try
        {
            var repair = pool.Run("check", "--repair", "--json");
            Assert.True(repair.ExitCode == 10, $"a staging point holding files should be left and reported: {repair}");
            Assert.Contains(kept, repair.Stdout);
            Assert.Equal("not the pool's", File.ReadAllText(Path.Combine(kept, "notes.txt")));
        }
        finally
        {
            Directory.Delete(kept, recursive: true);
        }

        pool.CheckRepairsToConsistent();
    }

    [RootTheory]
    [InlineData("ghost")]
    [InlineData("k-stale-other")]
    public void A_stale_freeze_record_naming_a_mount_its_subvolume_is_not_on_thaws_nothing_and_goes(string recordName)
    {
        pool.Create("k-stale", "320M");
        pool.Create("k-stale-other", "320M");
        var mountPoint = pool.Mount("k-stale");
        pool.Mount("k-stale-other");
        var records = Path.Combine(pool.PoolPath, ".subvol", "freezes");
        Directory.CreateDirectory(records);
        // As a damaged or stale record would say it: a dead freezer, and a mount point where its subvolume is not mounted.
        File.WriteAllText(Path.Combine(records, recordName), $"{int.MaxValue - 1}\n1\n{mountPoint}\n");
        Tools.Run("fsfreeze", "-f", mountPoint).ShouldSucceed();
        try
        {
            var next = pool.Run("list").ShouldSucceed();

            Assert.DoesNotContain("thawed", next.Stderr);
            // Thawing succeeds only on a frozen filesystem: the record did not thaw what another program froze.
            Tools.Run("fsfreeze", "-u", mountPoint).ShouldSucceed();
            Assert.False(File.Exists(Path.Combine(records, recordName)));
        }
        finally
        {
            Tools.Run("fsfreeze", "-u", mountPoint);
            pool.Unmount("k-stale-other");
            pool.Unmount("k-stale");
        }
    }

    [RootTheory]
    [InlineData("pool-create-made")]
    [InlineData("pool-create-mounted")]
    public void A_pool_create_killed_half_way_is_started_over_by_the_same_create(string point)
    {
        var directory = Path.Combine(pool.Root, "k-" + point);
        var image = Path.Combine(pool.Root, "k-" + point + ".img");
        string[] create = ["pool", "create", directory, "--image", image, "--size", "1G", "--sparse"];
        try
        {
            KillAt(point, create);
            Assert.True(File.Exists(image), "the killed create should have left its image, or the test proves nothing");

            pool.Run(create).ShouldSucceed();

            Assert.Single(Kernel.LoopsUnder(pool.Root), loop => loop.BackingFile == image);
            pool.Run("create", "after", "--size", "320M", "--pool", directory).ShouldSucceed();
            pool.Run("check", "--pool", directory).ShouldSucceed();
        }
        finally
        {
            pool.Run("pool", "export", directory);
            if (Kernel.MountAt(directory) is not null)
            {
                Tools.Run("umount", directory);
            }
        }
    }

    [RootFact]
    public void A_pool_image_that_create_did_not_make_is_never_taken_away()
    {
        var directory = Path.Combine(pool.Root, "k-foreign");
        var image = Path.Combine(pool.Root, "k-foreign.img");
        File.WriteAllText(image, "someone else's file");

        var result = pool.Run("pool", "create", directory, "--image", image, "--size", "1G", "--sparse").ShouldFailWith(4);

        Assert.Contains($"{image} already exists", result.Stderr);
        Assert.Equal("someone else's file", File.ReadAllText(image));
    }

    /// <summary>Runs a command to a pause point and kills it there with SIGKILL.</summary>
    private ChildProcess KillAt(string point, params string[] arguments) => KillAt(point, arguments, beforeKill: null);

    private ChildProcess KillAt(string point, string[] arguments, Action? beforeKill)
    {
        var child = pool.StartPaused(point, arguments);
        beforeKill?.Invoke();
        child.Kill();
        Assert.True(child.HasExited, $"{string.Join(' ', arguments)} should be dead");
        return child;
    }

    private static SortedDictionary<string, string> WriteSome(string mountPoint)
    {
        Directory.CreateDirectory(Path.Combine(mountPoint, "dir"));
        Data.WriteRandom(Path.Combine(mountPoint, "dir", "a.bin"), 2 * MiB);
        Data.WriteRandom(Path.Combine(mountPoint, "b.bin"), 512 * 1024);
        return Data.Tree(mountPoint);
    }

    /// <summary>A write with fsync that must finish in time: a frozen filesystem would block it.</summary>
    private static void AssertWritable(string mountPoint) =>
        Tools.Run("timeout", "10", "dd", "if=/dev/zero", $"of={Path.Combine(mountPoint, "after-kill")}", "bs=64k", "count=16", "conv=fsync", "status=none").ShouldSucceed();
}
