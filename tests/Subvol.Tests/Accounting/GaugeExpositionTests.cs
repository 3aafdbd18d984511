using Subvol.Accounting;

namespace Subvol.Tests.Accounting;

public sealed class GaugeExpositionTests
{
    private static readonly DateTimeOffset Taken = new(2026, 12, 5, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EveryFamilyHasHelpAndTypeOnceAndOneSamplePerVolume()
    {
        var text = GaugeExposition.Render(new PoolGauges("/srv/pool", 1000, 300, 600, 100, 3,
        [
            new VolumeGauges("db", 400, 250, 50, 2, Taken),
            new VolumeGauges("wal", 200, 10, 10, 1, Taken.AddMinutes(-5)),
        ]));

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(13, lines.Count(line => line.StartsWith("# TYPE ", StringComparison.Ordinal) && line.EndsWith(" gauge", StringComparison.Ordinal)));
        Assert.Equal(lines.Count(line => line.StartsWith("# TYPE ", StringComparison.Ordinal)), lines.Count(line => line.StartsWith("# HELP ", StringComparison.Ordinal)));
        Assert.Contains("subvol_pool_up{pool=\"/srv/pool\"} 1", lines);
        Assert.Contains("subvol_pool_available_bytes{pool=\"/srv/pool\"} 600", lines);
        Assert.Contains("subvol_volume_shared_bytes{pool=\"/srv/pool\",volume=\"db\"} 200", lines);
        Assert.Contains("subvol_volume_exclusive_bytes{pool=\"/srv/pool\",volume=\"wal\"} 10", lines);
        Assert.Contains($"subvol_volume_last_snapshot_timestamp_seconds{{pool=\"/srv/pool\",volume=\"db\"}} {Taken.ToUnixTimeSeconds()}", lines);
        Assert.EndsWith("\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AVolumeWithoutSnapshotsHasNoLastSnapshotSample()
    {
        var text = GaugeExposition.Render(new PoolGauges("/srv/pool", 1000, 300, 600, 100, 0, [new VolumeGauges("fresh", 400, 0, 0, 0, null)]));

        Assert.Contains("subvol_volume_snapshots{pool=\"/srv/pool\",volume=\"fresh\"} 0\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("subvol_volume_last_snapshot_timestamp_seconds{", text, StringComparison.Ordinal);
    }

    [Fact]
    public void AFreezeDurationIsInSecondsWithItsFractionAndAbsentForAVolumeNeverFrozen()
    {
        var text = GaugeExposition.Render(new PoolGauges("/srv/pool", 1000, 300, 600, 100, 2,
        [
            new VolumeGauges("db", 400, 250, 50, 1, Taken) { LastFreeze = TimeSpan.FromMilliseconds(37.5) },
            new VolumeGauges("idle", 200, 10, 10, 1, Taken),
        ]));

        Assert.Contains("subvol_volume_last_freeze_seconds{pool=\"/srv/pool\",volume=\"db\"} 0.0375\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("subvol_volume_last_freeze_seconds{pool=\"/srv/pool\",volume=\"idle\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public void APoolThatCannotBeReadIsDownWithNoOtherGauge()
    {
        var text = GaugeExposition.RenderDown("/srv/pool");

        Assert.Equal(
            "# HELP subvol_pool_up 1 when the pool's figures could be read; 0 when they could not (not imported, its metadata damaged, its filesystem failed), and then no other gauge of the pool is given.\n" +
            "# TYPE subvol_pool_up gauge\nsubvol_pool_up{pool=\"/srv/pool\"} 0\n",
            text);
    }

    [Fact]
    public void BackslashQuoteAndLineFeedInAPoolPathAreEscaped()
    {
        var text = GaugeExposition.Render(new PoolGauges("/srv/a\"b\\c\nd", 1, 0, 1, 0, 0, []));

        Assert.Contains("subvol_pool_size_bytes{pool=\"/srv/a\\\"b\\\\c\\nd\"} 1\n", text, StringComparison.Ordinal);
    }
}
