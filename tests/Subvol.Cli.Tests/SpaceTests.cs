using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>Space going back to the pool, and resizing that the inner filesystem sees.</summary>
public sealed class SpaceTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const long MiB = 1 << 20;

    [RootFact]
    public void Delete_returns_the_space_to_the_pool()
    {
        var baseline = pool.PoolStatus();
        var usedBefore = baseline.GetProperty("used").GetInt64();
        var availableBefore = baseline.GetProperty("available").GetInt64();
        var dfUsedBefore = DfUsed(pool.PoolPath);

        pool.Create("hog", "512M");
        var mountPoint = pool.Mount("hog");
        Data.WriteRandom(Path.Combine(mountPoint, "fill.bin"), 160 * MiB);
        pool.Run("delete", "hog").ShouldFailWith(5);
        pool.Unmount("hog");
        pool.Run("snapshot", "hog@keep").ShouldSucceed();
        var withSnapshots = pool.Run("delete", "hog").ShouldFailWith(5);
        Assert.Contains("--recursive", withSnapshots.Stderr);

        var full = pool.PoolStatus();
        Assert.True(full.GetProperty("used").GetInt64() >= usedBefore + 150 * MiB, $"160 MiB written should show as used: before {usedBefore}, now {full}");

        pool.Run("delete", "hog", "--recursive").ShouldSucceed();
        Assert.DoesNotContain("hog", pool.SubvolumeNames());
        Assert.False(File.Exists(pool.SubvolumeImage("hog")));
        Assert.False(File.Exists(pool.SnapshotImage("hog", "keep")));

        // XFS frees blocks of unlinked files in the background; give it a moment.
        const long slack = 8 * MiB;
        var returned = Waiting.Eventually(
            () =>
            {
                var status = pool.PoolStatus();
                return status.GetProperty("used").GetInt64() <= usedBefore + slack
                    && status.GetProperty("available").GetInt64() >= availableBefore - slack
                    && DfUsed(pool.PoolPath) <= dfUsedBefore + slack;
            },
            TimeSpan.FromSeconds(15));
        Assert.True(returned, $"the space should come back within {slack / MiB} MiB: used before {usedBefore}, available before {availableBefore}, df used before {dfUsedBefore}; now {pool.PoolStatus()}, df used {DfUsed(pool.PoolPath)}");

        pool.Run("delete", "hog").ShouldFailWith(3);
    }

    [RootFact]
    public void Xfs_grow_is_visible_in_df_while_mounted_and_xfs_shrink_is_refused()
    {
        pool.Create("grow-xfs", "320M");
        var mountPoint = pool.Mount("grow-xfs");
        var data = Data.WriteRandom(Path.Combine(mountPoint, "keep.bin"), 4 * MiB);
        var before = Tools.DfSize(mountPoint);

        pool.Run("resize", "grow-xfs", "512M").ShouldSucceed();
        var after = Tools.DfSize(mountPoint);
        Assert.True(after >= before + 150 * MiB, $"df should show the growth at once: {before} -> {after}");
        Assert.Equal(512 * MiB, SizeOf("grow-xfs"));
        Assert.Equal(512 * MiB, new FileInfo(pool.SubvolumeImage("grow-xfs")).Length);
        Data.WriteRandom(Path.Combine(mountPoint, "more.bin"), 4 * MiB);

        var mounted = pool.Run("resize", "grow-xfs", "400M").ShouldFailWith(7);
        Assert.Contains("xfs", mounted.Stderr, StringComparison.OrdinalIgnoreCase);
        pool.Unmount("grow-xfs");
        pool.Run("resize", "grow-xfs", "400M").ShouldFailWith(7);
        Assert.Equal(512 * MiB, SizeOf("grow-xfs"));
        Assert.Equal(512 * MiB, new FileInfo(pool.SubvolumeImage("grow-xfs")).Length);

        mountPoint = pool.Mount("grow-xfs");
        Assert.Equal(after, Tools.DfSize(mountPoint));
        Assert.Equal(data, Data.Sha256(Path.Combine(mountPoint, "keep.bin")));
        pool.Unmount("grow-xfs");
        Tools.Run("xfs_repair", "-n", "-f", pool.SubvolumeImage("grow-xfs")).ShouldSucceed();
    }

    [RootFact(NeedsSysResource = true)]
    public void Ext4_grow_is_visible_in_df_while_mounted()
    {
        pool.Create("grow-ext4-online", "32M", "ext4");
        var mountPoint = pool.Mount("grow-ext4-online");
        var data = Data.WriteRandom(Path.Combine(mountPoint, "keep.bin"), 4 * MiB);
        var before = Tools.DfSize(mountPoint);

        pool.Run("resize", "grow-ext4-online", "64M").ShouldSucceed();
        var grown = Tools.DfSize(mountPoint);
        Assert.True(grown >= before + 28 * MiB, $"df should show the growth at once: {before} -> {grown}");
        Assert.Equal(64 * MiB, SizeOf("grow-ext4-online"));
        Assert.Equal(data, Data.Sha256(Path.Combine(mountPoint, "keep.bin")));
        pool.Unmount("grow-ext4-online");
        Tools.Run("e2fsck", "-f", "-n", pool.SubvolumeImage("grow-ext4-online")).ShouldSucceed();
    }

    [RootFact]
    public void Ext4_grows_unmounted_and_shrinks_only_unmounted()
    {
        pool.Create("grow-ext4", "32M", "ext4");
        var mountPoint = pool.Mount("grow-ext4");
        var data = Data.WriteRandom(Path.Combine(mountPoint, "keep.bin"), 4 * MiB);
        var before = Tools.DfSize(mountPoint);
        pool.Unmount("grow-ext4");

        pool.Run("resize", "grow-ext4", "64M").ShouldSucceed();
        Assert.Equal(64 * MiB, SizeOf("grow-ext4"));
        mountPoint = pool.Mount("grow-ext4");
        var grown = Tools.DfSize(mountPoint);
        Assert.True(grown >= before + 28 * MiB, $"df should show the growth: {before} -> {grown}");

        pool.Run("resize", "grow-ext4", "40M").ShouldFailWith(5);
        Assert.Equal(grown, Tools.DfSize(mountPoint));
        Assert.Equal(64 * MiB, SizeOf("grow-ext4"));
        pool.Unmount("grow-ext4");

        pool.Run("resize", "grow-ext4", "40M").ShouldSucceed();
        Assert.Equal(40 * MiB, SizeOf("grow-ext4"));
        Assert.Equal(40 * MiB, new FileInfo(pool.SubvolumeImage("grow-ext4")).Length);
        Tools.Run("e2fsck", "-f", "-n", pool.SubvolumeImage("grow-ext4")).ShouldSucceed();

        mountPoint = pool.Mount("grow-ext4");
        var shrunk = Tools.DfSize(mountPoint);
        Assert.True(shrunk < grown - 16 * MiB && shrunk > before, $"df should show the smaller size: {before} -> {grown} -> {shrunk}");
        Assert.Equal(data, Data.Sha256(Path.Combine(mountPoint, "keep.bin")));
        pool.Unmount("grow-ext4");
        pool.Run("check").ShouldSucceed();
    }

    private long SizeOf(string name) => pool.Json("list", name).EnumerateArray().Single().GetProperty("size").GetInt64();

    private static long DfUsed(string path)
    {
        var result = Tools.Run("df", "-B1", "--output=used", path).ShouldSucceed();
        return long.Parse(result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    [RootFact]
    public void A_stale_guard_state_naming_a_mount_its_subvolume_is_not_on_remounts_nothing_and_goes()
    {
        pool.Create("guard-stale", "320M");
        var foreign = pool.NewDirectory("guard-stale-foreign");
        Tools.Run("mount", "-t", "tmpfs", "-o", "ro", "subvol-test-foreign", foreign).ShouldSucceed();
        var states = Path.Combine(pool.PoolPath, ".subvol", "guard");
        Directory.CreateDirectory(states);
        // As a state left from before a reboot would say it: the guard made that mount read-only, though the subvolume is not on it.
        File.WriteAllText(Path.Combine(states, "guard-stale"), $"read-only\n{foreign}\n");
        try
        {
            var guard = pool.Run("guard", "--once").ShouldSucceed();

            Assert.DoesNotContain("remounted read-write", guard.Stderr);
            Assert.True(Kernel.MountAt(foreign)!.ReadOnly, "the guard must leave a mount that is not its subvolume's as it found it");
            Assert.False(File.Exists(Path.Combine(states, "guard-stale")));
        }
        finally
        {
            Tools.Run("umount", foreign);
            pool.Run("delete", "guard-stale");
        }
    }
}
