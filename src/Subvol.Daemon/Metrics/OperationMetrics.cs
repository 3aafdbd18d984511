using Prometheus;
using Subvol.Daemon.Services;

namespace Subvol.Daemon.Metrics;

/// <summary>
/// The histogram of CSI calls, named and labelled as the kubernetes-csi sidecars name theirs
/// (csi-lib-utils), so that one dashboard shows the sidecar's and the driver's view of a call.
/// </summary>
internal sealed class OperationMetrics
{
    // The sidecars' buckets, in seconds: a call to a driver takes from milliseconds (Probe) to minutes (a large volume's mkfs).
    private static readonly double[] Buckets = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 25, 50, 120, 300, 600];

    private readonly Histogram _operations;

    public OperationMetrics()
    {
        Registry = Prometheus.Metrics.NewCustomRegistry();
        _operations = Prometheus.Metrics.WithCustomRegistry(Registry).CreateHistogram(
            "csi_plugin_operations_seconds",
            "Duration of CSI calls to the plugin, by method and gRPC status code.",
            new HistogramConfiguration { LabelNames = ["driver_name", "method_name", "grpc_status_code"], Buckets = Buckets });
    }

    /// <summary>The registry that holds the histogram; the metrics endpoint exports it.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Records one call: its full method name (/csi.v1.Controller/CreateVolume), the status it ended with, and how long it took.</summary>
    public void Record(string method, Grpc.Core.StatusCode status, TimeSpan duration) =>
        _operations.WithLabels(IdentityService.DriverName, method, status.ToString()).Observe(duration.TotalSeconds);
}
