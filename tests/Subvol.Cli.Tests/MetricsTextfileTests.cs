using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>subvol metrics --textfile: the pool's gauges for node_exporter's textfile collector, with df's figures, in a file Prometheus accepts.</summary>
public sealed class MetricsTextfileTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private const long MiB = 1 << 20;

    [RootFact]
    public void TextfileHoldsThePoolAndVolumeGaugesWithDfsFiguresAndPassesPromtool()
    {
        const string name = "metrics-vol";
        pool.Run("create", name, "--size", "320M", "--provisioning", "thin").ShouldSucceed();
        Data.WriteRandom(Path.Combine(pool.Mount(name), "data.bin"), 8 * MiB);
        pool.Unmount(name);
        pool.Run("snapshot", $"{name}@first").ShouldSucceed();
        var directory = pool.NewDirectory("textfile");

        pool.Run("metrics", "--textfile", directory).ShouldSucceed();

        // Only the finished file is left: the temporary one was renamed over it.
        Assert.Equal(["subvol.prom"], Directory.GetFiles(directory).Select(Path.GetFileName));
        var text = File.ReadAllText(Path.Combine(directory, "subvol.prom"));
        var image = pool.Json("df").GetProperty("images").EnumerateArray().Single(entry => entry.GetProperty("name").GetString() == name);
        var labels = $"pool=\"{pool.PoolPath}\",volume=\"{name}\"";
        Assert.Contains($"subvol_volume_size_bytes{{{labels}}} {320 * MiB}\n", text, StringComparison.Ordinal);
        Assert.Contains($"subvol_volume_referenced_bytes{{{labels}}} {image.GetProperty("referenced").GetInt64()}\n", text, StringComparison.Ordinal);
        Assert.Contains($"subvol_volume_exclusive_bytes{{{labels}}} {image.GetProperty("exclusive").GetInt64()}\n", text, StringComparison.Ordinal);
        Assert.Contains($"subvol_volume_shared_bytes{{{labels}}} {image.GetProperty("shared").GetInt64()}\n", text, StringComparison.Ordinal);
        Assert.Contains($"subvol_volume_snapshots{{{labels}}} 1\n", text, StringComparison.Ordinal);
        Assert.Matches($@"(?m)^subvol_volume_last_snapshot_timestamp_seconds\{{{System.Text.RegularExpressions.Regex.Escape(labels)}\}} \d+$", text);
        var status = pool.PoolStatus();
        Assert.Contains($"subvol_pool_size_bytes{{pool=\"{pool.PoolPath}\"}} {status.GetProperty("size").GetInt64()}\n", text, StringComparison.Ordinal);
        foreach (var gauge in new[] { "subvol_pool_available_bytes", "subvol_pool_reserved_bytes", "subvol_pool_snapshots" })
        {
            Assert.Contains($"{gauge}{{pool=\"{pool.PoolPath}\"}} ", text, StringComparison.Ordinal);
        }

        Assert.Contains($"subvol_pool_up{{pool=\"{pool.PoolPath}\"}} 1\n", text, StringComparison.Ordinal);

        // The RPC histogram is subvold's alone.
        Assert.DoesNotContain("csi_plugin_operations_seconds", text, StringComparison.Ordinal);

        var check = Tools.Bash($"promtool check metrics < '{Path.Combine(directory, "subvol.prom")}'");
        Assert.True(check.ExitCode == 0, $"promtool check metrics failed: {check}");

        // Without --textfile the same gauges go to standard output.
        Assert.Equal(text, pool.Run("metrics").ShouldSucceed().Stdout);
    }

    [RootFact]
    public void A_pool_that_cannot_be_read_replaces_the_textfile_with_the_pool_down_and_no_stale_figure()
    {
        var failing = Path.Combine(pool.Root, "metrics-failing");
        pool.Run("pool", "create", failing, "--image", failing + ".img", "--size", "1G", "--sparse").ShouldSucceed();
        var directory = pool.NewDirectory("textfile-down");
        var file = Path.Combine(directory, "subvol.prom");
        try
        {
            pool.Run("metrics", "--textfile", directory, "--pool", failing).ShouldSucceed();
            Assert.Contains("subvol_pool_size_bytes", File.ReadAllText(file), StringComparison.Ordinal);
            Tools.Run("xfs_io", "-x", "-c", "shutdown", failing).ShouldSucceed();

            var result = pool.Run("metrics", "--textfile", directory, "--pool", failing).ShouldFailWith(1);

            Assert.Contains($"the filesystem of pool {failing} fails every access", result.Stderr, StringComparison.Ordinal);
            var text = File.ReadAllText(file);
            Assert.Contains($"subvol_pool_up{{pool=\"{failing}\"}} 0\n", text, StringComparison.Ordinal);
            Assert.DoesNotContain("subvol_pool_size_bytes", text, StringComparison.Ordinal);
            Assert.Equal(["subvol.prom"], Directory.GetFiles(directory).Select(Path.GetFileName));
        }
        finally
        {
            pool.Run("pool", "export", failing);
        }
    }

    [RootFact]
    public void AMissingTextfileDirectoryIsOneErrorLineNamingIt()
    {
        var missing = Path.Combine(pool.NewDirectory("absent-parent"), "absent");
        var result = pool.Run("metrics", "--textfile", missing);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Single(result.StderrLines);
        Assert.Contains(missing, result.Stderr, StringComparison.Ordinal);
    }
}
