using System.Net;
using System.Net.Sockets;
using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

/// <summary>subvold --metrics-address serves the CSI call histogram and the pool's gauges in a form Prometheus accepts.</summary>
[Collection(DaemonCollection.Name)]
public sealed class MetricsTests(DaemonFixture fixture)
{
    [RootFact]
    public void AScrapeCarriesTheCallHistogramAndThePoolGaugesAndPassesPromtool()
    {
        var port = FreePort();
        using var daemon = fixture.StartOther(fixture.PoolPath, "--metrics-address", $"127.0.0.1:{port}");
        var name = fixture.Unique("pvc-metrics");
        var volume = daemon.Controller.CreateVolume(DaemonFixture.CreateRequest(name, 32 * DaemonFixture.MiB, thin: true)).Volume;
        var snapshot = daemon.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-metrics"), SourceVolumeId = volume.VolumeId }).Snapshot;
        Expect.Status(StatusCode.InvalidArgument, () => daemon.Controller.DeleteVolume(new DeleteVolumeRequest()));
        try
        {
            var scrape = Scrape(port);
            var driver = "driver_name=\"csi.subvol.io\"";
            Assert.Contains($"csi_plugin_operations_seconds_count{{{driver},method_name=\"/csi.v1.Controller/CreateVolume\",grpc_status_code=\"OK\"}} 1", scrape, StringComparison.Ordinal);
            Assert.Contains($"csi_plugin_operations_seconds_count{{{driver},method_name=\"/csi.v1.Controller/DeleteVolume\",grpc_status_code=\"InvalidArgument\"}} 1", scrape, StringComparison.Ordinal);

            var pool = $"pool=\"{fixture.PoolPath}\"";
            var labels = $"{pool},volume=\"{volume.VolumeId}\"";
            foreach (var gauge in new[] { "subvol_pool_size_bytes", "subvol_pool_available_bytes", "subvol_pool_reserved_bytes", "subvol_pool_snapshots" })
            {
                Assert.Matches($@"(?m)^{gauge}\{{{Regex(pool)}\}} \d+$", scrape);
            }

            foreach (var gauge in new[] { "subvol_volume_size_bytes", "subvol_volume_referenced_bytes", "subvol_volume_exclusive_bytes", "subvol_volume_shared_bytes" })
            {
                Assert.Matches($@"(?m)^{gauge}\{{{Regex(labels)}\}} \d+$", scrape);
            }

            Assert.Contains($"subvol_volume_size_bytes{{{labels}}} {32 * DaemonFixture.MiB}\n", scrape, StringComparison.Ordinal);
            Assert.Contains($"subvol_volume_snapshots{{{labels}}} 1\n", scrape, StringComparison.Ordinal);
            Assert.Contains($"subvol_volume_last_snapshot_timestamp_seconds{{{labels}}} {snapshot.CreationTime.Seconds}\n", scrape, StringComparison.Ordinal);

            var file = Path.Combine(fixture.Root, fixture.Unique("scrape") + ".prom");
            File.WriteAllText(file, scrape);
            var (exitCode, output, error) = Tools.Run("sh", "-c", "promtool check metrics < \"$1\"", "sh", file);
            Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}): {output}{error}");
        }
        finally
        {
            daemon.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = snapshot.SnapshotId });
            daemon.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
        }
    }

    [RootFact]
    public void AScrapeSaysInSecondsHowLongTheNewestSnapshotOfAPublishedVolumeKeptItFrozen()
    {
        var port = FreePort();
        using var daemon = fixture.StartOther(fixture.PoolPath, "--metrics-address", $"127.0.0.1:{port}");
        var volume = daemon.Controller.CreateVolume(DaemonFixture.CreateRequest(fixture.Unique("pvc-frozen"), 32 * DaemonFixture.MiB, thin: true)).Volume;
        var idle = daemon.Controller.CreateVolume(DaemonFixture.CreateRequest(fixture.Unique("pvc-idle"), 32 * DaemonFixture.MiB, thin: true)).Volume;
        var (staging, target) = fixture.StageAndPublish(volume.VolumeId);
        var snapshots = new[] { volume, idle }
            .Select(source => daemon.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-frozen"), SourceVolumeId = source.VolumeId }).Snapshot.SnapshotId)
            .ToList();
        try
        {
            var scrape = Scrape(port);
            var pool = $"pool=\"{fixture.PoolPath}\"";
            var frozen = System.Text.RegularExpressions.Regex.Match(scrape, $@"(?m)^subvol_volume_last_freeze_seconds\{{{Regex($"{pool},volume=\"{volume.VolumeId}\"")}\}} (\S+)$");
            Assert.True(frozen.Success, "the scrape has no freeze duration for the published volume");
            Assert.True(double.Parse(frozen.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) > 0, $"a freeze lasts some time, not {frozen.Groups[1].Value} s");
            Assert.DoesNotContain($"subvol_volume_last_freeze_seconds{{{pool},volume=\"{idle.VolumeId}\"}}", scrape, StringComparison.Ordinal);

            var file = Path.Combine(fixture.Root, fixture.Unique("scrape") + ".prom");
            File.WriteAllText(file, scrape);
            var (exitCode, output, error) = Tools.Run("sh", "-c", "promtool check metrics < \"$1\"", "sh", file);
            Assert.True(exitCode == 0, $"promtool check metrics failed ({exitCode}): {output}{error}");
        }
        finally
        {
            fixture.UnpublishAndUnstage(volume.VolumeId, staging, target);
            foreach (var id in snapshots)
            {
                daemon.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = id });
            }

            daemon.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
            daemon.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = idle.VolumeId });
        }
    }

    [RootFact]
    public void A_scrape_while_the_pool_is_not_there_says_the_pool_is_down_and_gives_no_other_gauge()
    {
        var port = FreePort();
        var missing = Path.Combine(fixture.Root, "no-such-pool");
        using var daemon = fixture.StartOther(missing, "--metrics-address", $"127.0.0.1:{port}");

        var scrape = Scrape(port);

        Assert.Contains($"subvol_pool_up{{pool=\"{missing}\"}} 0\n", scrape, StringComparison.Ordinal);
        Assert.DoesNotContain("subvol_pool_size_bytes", scrape, StringComparison.Ordinal);
    }

    [RootFact]
    public void AScrapeThroughAProxyThatRewritesTheHostHeaderIsStillServed()
    {
        var port = FreePort();
        using var daemon = fixture.StartOther(fixture.PoolPath, "--metrics-address", $"127.0.0.1:{port}");
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}/metrics"));
        request.Headers.Host = "localhost:8080";

        using var response = http.Send(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("subvol_pool_size_bytes", response.Content.ReadAsStringAsync().Result, StringComparison.Ordinal);
    }

    private static string Scrape(int port)
    {
        using var http = new HttpClient();
        using var response = http.GetAsync(new Uri($"http://127.0.0.1:{port}/metrics")).Result;
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        return response.Content.ReadAsStringAsync().Result;
    }

    private static string Regex(string text) => System.Text.RegularExpressions.Regex.Escape(text);

    /// <summary>A loopback port nothing listens on now.</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
