using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>A test directory for small host filesystems of the tests' own; Dispose checks that nothing of them is left.</summary>
public sealed class SmallHostArea : IDisposable
{
    private readonly TestArea? _area = Capabilities.CanUseLoopDevices ? new TestArea() : null;
    private int _hosts;

    /// <summary>A new host filesystem of <paramref name="bytes"/> bytes, mounted under the test directory.</summary>
    public SmallHost NewHost(long bytes)
    {
        var area = _area ?? throw new InvalidOperationException(Capabilities.SkipReason);
        var name = $"host{Interlocked.Increment(ref _hosts).ToString(CultureInfo.InvariantCulture)}";
        return new SmallHost(Path.Combine(area.Root, name), area.ConfigurationDirectory, bytes.ToString(CultureInfo.InvariantCulture));
    }

    public string Root => _area?.Root ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public string ConfigurationDirectory => _area?.ConfigurationDirectory ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public void Dispose() => _area?.CleanUp(new SubvolCli(_area.ConfigurationDirectory, null), []);
}

/// <summary>
/// Where the promise of a guaranteed subvolume is physical, and how a pool says so where it is not:
/// each test fills a host filesystem of its own from outside Subvol.
/// </summary>
public sealed class PhysicalGuaranteeTests(SmallHostArea area) : IClassFixture<SmallHostArea>
{
    private const long MiB = 1L << 20;

    [RootFact]
    public void APoolImageLargerThanTheHostIsRefusedUnlessSparseAndForced()
    {
        using var host = area.NewHost(1L << 30);
        var pool = Path.Combine(area.Root, "too-large");
        var image = Path.Combine(host.MountPoint, "too-large.img");
        var cli = host.PoolCli(pool);

        var refused = cli.Run("pool", "create", pool, "--image", image, "--size", "4G").ShouldFailWith(6);
        Assert.Matches(@"has \d+\.\d MiB free, and the pool image would be 4\.0 GiB", refused.Stderr);
        Assert.False(File.Exists(image));

        var sparseRefused = cli.Run("pool", "create", pool, "--image", image, "--size", "4G", "--sparse").ShouldFailWith(6);
        Assert.Contains("--force", sparseRefused.Stderr);
        Assert.False(File.Exists(image));

        var forced = cli.Run("pool", "create", pool, "--image", image, "--size", "4G", "--sparse", "--force").ShouldSucceed();
        Assert.Contains("subvol: warning: the pool image", forced.Stderr);
        Assert.Contains("guaranteed subvolumes are guaranteed only in a pool whose image is allocated", forced.Stderr);
        Assert.True(Json(cli, "pool", "status").GetProperty("image_sparse").GetBoolean());
        Assert.Contains("(sparse)", cli.Run("pool", "status").ShouldSucceed().Stdout);
    }

    [RootFact]
    public void AGuaranteedSubvolumeInAnAllocatedPoolKeepsItsPromiseWithTheHostAtZeroBytesFree()
    {
        using var host = area.NewHost(1536 * MiB);
        var pool = Path.Combine(area.Root, "allocated");
        var image = Path.Combine(host.MountPoint, "allocated.img");
        var cli = host.PoolCli(pool);
        cli.Run("pool", "create", pool, "--image", image, "--size", "1G").ShouldSucceed();
        Assert.False(Json(cli, "pool", "status").GetProperty("image_sparse").GetBoolean());
        Assert.True(AllocatedBytes(image) >= 1L << 30, $"the pool image holds only {AllocatedBytes(image)} bytes of the host");


        cli.Run("create", "promised", "--size", "400M").ShouldSucceed();
        cli.Run("mount", "promised").ShouldSucceed();
        var mounted = Path.Combine(pool, "mounts", "promised");
        var data = Path.Combine(mounted, "data.bin");
        Dd("/dev/urandom", data, 192, "conv=fsync");
        cli.Run("snapshot", "promised@before").ShouldSucceed();
        var devices = new[] { host.Device, Device(pool), Device(mounted) };
        try
        {
            host.Fill();
            Assert.True(host.Available < MiB, $"the host still has {host.Available} bytes free");
            var marker = Guid.NewGuid().ToString("N");
            File.AppendAllText("/dev/kmsg", $"subvol-test {marker} begin\n");

            // Every block of the data is shared with the snapshot, so each rewrite needs a new block from the pool.
            Dd("/dev/urandom", data, 192, "conv=notrunc,fsync");
            var room = new DriveInfo(mounted).AvailableFreeSpace / MiB - 4;
            Assert.True(room > 64, $"the subvolume should still have room of its own, has {room} MiB");
            Dd("/dev/urandom", Path.Combine(mounted, "new.bin"), room, "conv=fsync");

            File.AppendAllText("/dev/kmsg", $"subvol-test {marker} end\n");
            var errors = KernelLinesBetween(marker).Where(line => devices.Any(device => NamesDevice(line, device)) && line.Contains("error", StringComparison.OrdinalIgnoreCase)).ToList();
            Assert.True(errors.Count == 0, $"the kernel logged errors on this test's devices:\n{string.Join('\n', errors)}");

            cli.Run("umount", "promised").ShouldSucceed();
            Tools.Run("xfs_repair", "-n", "-f", Path.Combine(pool, "subvolumes", "promised.img")).ShouldSucceed();
        }
        finally
        {
            host.Empty();
            cli.Run("umount", "promised");
        }
    }

    [RootFact]
    public void CheckFindsAnAllocatedPoolImageThatATrimMadeSparseAndRepairAllocatesItAgain()
    {
        // On the test directory's own filesystem: a loop device on a loop-mounted host takes no discards.
        var pool = Path.Combine(area.Root, "trimmed");
        var image = Path.Combine(area.Root, "trimmed.img");
        var cli = new SubvolCli(area.ConfigurationDirectory, pool);
        cli.Run("pool", "create", pool, "--image", image, "--size", "1G").ShouldSucceed();
        try
        {
            CheckFindsAndRepairsATrimmedPoolImage(cli, pool, image);
        }
        finally
        {
            cli.Run("pool", "export", pool);
        }
    }

    private static void CheckFindsAndRepairsATrimmedPoolImage(SubvolCli cli, string pool, string image)
    {
        // fstrim.timer trims every mount: the pool's loop device turns the discards into holes in its image.
        // With other tests writing to the host, the holes can appear only after a later trim, so trim until they do.
        Assert.True(
            Waiting.Eventually(
                () =>
                {
                    Tools.Run("fstrim", pool).ShouldSucceed();
                    return AllocatedBytes(image) < 1L << 30;
                },
                TimeSpan.FromSeconds(20)),
            "the trim should have given blocks back");
        // A trim's discards can still be reaching the image when fstrim returns, on a busy host, and a hole they punch
        // after the repair would be counted against it: the check begins once the image has stopped losing blocks.
        Assert.True(
            Waiting.Eventually(
                () =>
                {
                    var before = AllocatedBytes(image);
                    Thread.Sleep(500);
                    return AllocatedBytes(image) == before;
                },
                TimeSpan.FromSeconds(20)),
            "the trimmed image should stop losing blocks");

        var found = cli.Run("check", "--json");
        Assert.Equal(10, found.ExitCode);
        using (var report = JsonDocument.Parse(found.Stdout))
        {
            var finding = Assert.Single(report.RootElement.GetProperty("findings").EnumerateArray());
            Assert.Equal("pool_image_not_allocated", finding.GetProperty("kind").GetString());
            Assert.True(finding.GetProperty("bytes").GetInt64() > 0, found.ToString());
        }

        cli.Run("check", "--repair").ShouldSucceed();
        Assert.True(AllocatedBytes(image) >= 1L << 30, $"after repair the pool image holds only {AllocatedBytes(image)} bytes of the host");
        cli.Run("check").ShouldSucceed();
    }

    [RootFact]
    public void ThinSubvolumesAreNotPromisedTheCopyOnWriteHeadroomOfASnapshot()
    {
        using var host = area.NewHost(1536 * MiB);
        var pool = Path.Combine(area.Root, "headroom");
        var cli = host.PoolCli(pool);
        cli.Run("pool", "create", pool, "--image", Path.Combine(host.MountPoint, "headroom.img"), "--size", "1G").ShouldSucceed();
        cli.Run("create", "promised", "--size", "320M").ShouldSucceed();
        cli.Run("mount", "promised").ShouldSucceed();
        Dd("/dev/urandom", Path.Combine(pool, "mounts", "promised", "data.bin"), 200, "conv=fsync");
        cli.Run("snapshot", "promised@before").ShouldSucceed();
        cli.Run("umount", "promised").ShouldSucceed();
        var status = Json(cli, "pool", "status");
        var reserved = status.GetProperty("reserved").GetInt64();
        Assert.True(reserved >= 200 * MiB, $"the snapshot shares the 200 MiB written: {status}");

        // Beside the guaranteed subvolume's 320 MiB this fits the pool's size, but not beside the snapshot's headroom as well.
        var thin = (status.GetProperty("size").GetInt64() - 320 * MiB - reserved / 2) / MiB;
        var refused = cli.Run("create", "greedy", "--size", $"{thin.ToString(CultureInfo.InvariantCulture)}M", "--provisioning", "thin").ShouldFailWith(6);

        Assert.Contains("reserved for guaranteed subvolumes", refused.Stderr);
        Assert.True(status.GetProperty("thin_available").GetInt64() < thin * MiB, status.ToString());
        var fits = (status.GetProperty("thin_available").GetInt64() / MiB).ToString(CultureInfo.InvariantCulture);
        cli.Run("create", "modest", "--size", $"{fits}M", "--provisioning", "thin").ShouldSucceed();
    }

    [RootFact]
    public void AShortfallIsShownWarnedAboutAndGuardedUntilTheSpaceReturns()
    {
        using var host = area.NewHost(1L << 30);
        var pool = Path.Combine(host.MountPoint, "pool");
        var cli = host.PoolCli(pool);
        cli.Run("pool", "create", pool).ShouldSucceed();
        cli.Run("create", "promised", "--size", "320M").ShouldSucceed();
        cli.Run("mount", "promised").ShouldSucceed();
        var mounted = Path.Combine(pool, "mounts", "promised");
        Dd("/dev/urandom", Path.Combine(mounted, "data.bin"), 200, "conv=fsync");
        cli.Run("snapshot", "promised@before").ShouldSucceed();
        Assert.Equal(0, Json(cli, "pool", "status").GetProperty("shortfall").GetInt64());
        try
        {
            // An outside writer takes what the snapshot's reservation promised to the subvolume's next writes.
            host.Fill(leave: 48 * MiB);

            var status = Json(cli, "pool", "status");
            var shortfall = status.GetProperty("shortfall").GetInt64();
            Assert.True(shortfall > 100 * MiB, $"the reservation is about 200 MiB and the host has 48 MiB free: {status}");
            Assert.Contains("SHORTFALL", cli.Run("pool", "status").ShouldSucceed().Stdout);
            Assert.Contains($"warning: pool {pool} has a shortfall of", cli.Run("list").ShouldSucceed().Stderr);

            var check = cli.Run("check", "--json").ShouldSucceed();
            using (var report = JsonDocument.Parse(check.Stdout))
            {
                var finding = Assert.Single(report.RootElement.GetProperty("findings").EnumerateArray(), finding => finding.GetProperty("kind").GetString() == "shortfall");
                Assert.True(finding.GetProperty("bytes").GetInt64() > 100 * MiB, check.ToString());
            }

            Assert.Contains("shortfall: pool", cli.Run("check").ShouldSucceed().Stdout);
            var guard = cli.Run("guard", "--once").ShouldSucceed();
            Assert.Contains("remounted read-only", guard.Stderr);
            Assert.True(Kernel.MountAt(mounted)!.ReadOnly);

            host.Empty();
            Assert.Contains("remounted read-write", cli.Run("guard", "--once").ShouldSucceed().Stderr);
            Assert.False(Kernel.MountAt(mounted)!.ReadOnly);
            Assert.Equal(0, Json(cli, "pool", "status").GetProperty("shortfall").GetInt64());
            Assert.DoesNotContain("shortfall", cli.Run("list").ShouldSucceed().Stderr);
        }
        finally
        {
            host.Empty();
            cli.Run("guard", "--once");
            cli.Run("umount", "promised");
        }
    }

    [RootFact]
    public void ASparsePoolHasAShortfallWhenTheHostOutsideFills()
    {
        using var host = area.NewHost(1536 * MiB);
        var pool = Path.Combine(area.Root, "sparse");
        var cli = host.PoolCli(pool);
        cli.Run("pool", "create", pool, "--image", Path.Combine(host.MountPoint, "sparse.img"), "--size", "1G", "--sparse").ShouldSucceed();
        cli.Run("create", "promised", "--size", "320M").ShouldSucceed();
        cli.Run("mount", "promised").ShouldSucceed();
        Dd("/dev/urandom", Path.Combine(pool, "mounts", "promised", "data.bin"), 200, "conv=fsync");
        cli.Run("snapshot", "promised@before").ShouldSucceed();
        try
        {
            Assert.Equal(0, Json(cli, "pool", "status").GetProperty("shortfall").GetInt64());

            // Inside the pool nothing changed, but the holes of its image can no longer be filled.
            host.Fill();

            var status = Json(cli, "pool", "status");
            Assert.True(status.GetProperty("shortfall").GetInt64() > 100 * MiB, $"the snapshot's headroom is about 200 MiB and the host has none: {status}");
            Assert.Contains("has a shortfall of", cli.Run("list").ShouldSucceed().Stderr);

            host.Empty();
            Assert.Equal(0, Json(cli, "pool", "status").GetProperty("shortfall").GetInt64());
        }
        finally
        {
            host.Empty();
            cli.Run("umount", "promised");
        }
    }

    [RootFact]
    public void FilesSubvolDidNotWriteAreCountedByCheckAndSeenBesideTheImagesInStatus()
    {
        using var host = area.NewHost(1L << 30);
        var pool = Path.Combine(host.MountPoint, "pool");
        var cli = host.PoolCli(pool);
        cli.Run("pool", "create", pool).ShouldSucceed();
        cli.Run("create", "home", "--size", "64M", "--fs", "ext4").ShouldSucceed();
        var stray = Path.Combine(pool, "stray.bin");
        Dd("/dev/urandom", stray, 32, "conv=fsync");

        var report = cli.Run("check", "--repair", "--json").ShouldSucceed();
        using (var document = JsonDocument.Parse(report.Stdout))
        {
            var finding = Assert.Single(document.RootElement.GetProperty("findings").EnumerateArray());
            Assert.Equal("foreign_file", finding.GetProperty("kind").GetString());
            Assert.Equal(stray, finding.GetProperty("subject").GetString());
            Assert.Equal(32 * MiB, finding.GetProperty("bytes").GetInt64());
            Assert.False(finding.GetProperty("repaired").GetBoolean());
        }

        Assert.True(File.Exists(stray));
        Assert.Contains($"foreign: {stray} is a file Subvol did not write, holding 32.0 MiB", cli.Run("check").ShouldSucceed().Stdout);
        var status = Json(cli, "pool", "status");
        var used = status.GetProperty("used").GetInt64();
        var images = status.GetProperty("images_used").GetInt64();
        Assert.True(images >= 64 * MiB, status.ToString());
        Assert.True(used - images >= 32 * MiB, $"the host's use should show the stray file beside the images': {status}");
    }

    private static JsonElement Json(SubvolCli cli, params string[] arguments)
    {
        var result = cli.Run([.. arguments, "--json"]).ShouldSucceed();
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    /// <summary>Writes with dd, whose conv=fsync makes a failed fsync a failed run.</summary>
    private static void Dd(string from, string to, long mebibytes, string conversions) =>
        Tools.Run("dd", $"if={from}", $"of={to}", "bs=1M", $"count={mebibytes.ToString(CultureInfo.InvariantCulture)}", conversions, "status=none").ShouldSucceed();

    private static long AllocatedBytes(string path) =>
        long.Parse(Tools.Run("stat", "-c", "%b", path).ShouldSucceed().Stdout.Trim(), CultureInfo.InvariantCulture) * 512;

    private static string Device(string mountPoint) => Path.GetFileName(Kernel.MountAt(mountPoint)!.Source);

    /// <summary>loop1 must not match loop12.</summary>
    private static bool NamesDevice(string line, string device) => Regex.IsMatch(line, $@"\b{Regex.Escape(device)}\b");

    /// <summary>The kernel's lines between this test's begin and end markers: other tests may fill hosts at the same time.</summary>
    private static List<string> KernelLinesBetween(string marker)
    {
        var lines = Tools.Run("dmesg").ShouldSucceed().Stdout.Split('\n');
        var begin = Array.FindLastIndex(lines, line => line.Contains($"subvol-test {marker} begin", StringComparison.Ordinal));
        var end = Array.FindLastIndex(lines, line => line.Contains($"subvol-test {marker} end", StringComparison.Ordinal));
        Assert.True(begin >= 0 && end > begin, "the kernel log should hold both markers");
        return lines[(begin + 1)..end].ToList();
    }
}
