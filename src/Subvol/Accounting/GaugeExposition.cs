using System.Globalization;
using System.Text;

namespace Subvol.Accounting;

/// <summary>
/// Writes a pool's gauges in the Prometheus text exposition format (version 0.0.4), the one
/// rendering that subvold's /metrics and subvol's node_exporter textfile share. Written by hand
/// because the command line has no metrics server and keeps no state between runs: every figure
/// is read fresh, so a deleted subvolume's series disappears with it.
/// </summary>
public static class GaugeExposition
{
    /// <summary>The content type of the text format, for an HTTP response.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    private const string UpName = "subvol_pool_up";

    private const string UpHelp = "1 when the pool's figures could be read; 0 when they could not (not imported, its metadata damaged, its filesystem failed), and then no other gauge of the pool is given.";

    public static string Render(PoolGauges gauges)
    {
        ArgumentNullException.ThrowIfNull(gauges);
        var text = new StringBuilder();
        var pool = $"pool=\"{Escape(gauges.Pool)}\"";
        Family(text, UpName, UpHelp, [(pool, 1L)]);
        Family(text, "subvol_pool_size_bytes", "Size of the pool's filesystem.", [(pool, gauges.Size)]);
        Family(text, "subvol_pool_used_bytes", "Bytes used on the pool's filesystem, as statfs reports it.", [(pool, gauges.Used)]);
        Family(text, "subvol_pool_available_bytes", "Bytes new allocations may use: free space less the guaranteed subvolumes' reservations and the slop.", [(pool, gauges.Available)]);
        Family(text, "subvol_pool_reserved_bytes", "Bytes held in reserve so that guaranteed subvolumes can always be written to their full size.", [(pool, gauges.Reserved)]);
        Family(text, "subvol_pool_snapshots", "Snapshots in the pool.", [(pool, gauges.Snapshots)]);

        string Volume(VolumeGauges volume) => $"{pool},volume=\"{Escape(volume.Name)}\"";
        Family(text, "subvol_volume_size_bytes", "Size of the subvolume, as its filesystem sees it.", gauges.Volumes.Select(volume => (Volume(volume), volume.Size)));
        Family(text, "subvol_volume_referenced_bytes", "Bytes allocated in the subvolume's image.", gauges.Volumes.Select(volume => (Volume(volume), volume.Referenced)));
        Family(text, "subvol_volume_exclusive_bytes", "Bytes of the subvolume's image that no snapshot or clone shares: what deleting it would free.", gauges.Volumes.Select(volume => (Volume(volume), volume.Exclusive)));
        Family(text, "subvol_volume_shared_bytes", "Bytes of the subvolume's image shared with its snapshots or clones.", gauges.Volumes.Select(volume => (Volume(volume), volume.Shared)));
        Family(text, "subvol_volume_snapshots", "Snapshots of the subvolume.", gauges.Volumes.Select(volume => (Volume(volume), (long)volume.Snapshots)));
        Family(
            text,
            "subvol_volume_last_snapshot_timestamp_seconds",
            "When the subvolume's newest snapshot was taken, in seconds since the epoch; absent for a subvolume without snapshots.",
            gauges.Volumes.Where(volume => volume.LastSnapshot is not null).Select(volume => (Volume(volume), volume.LastSnapshot!.Value.ToUnixTimeSeconds())));
        Family(
            text,
            "subvol_volume_last_freeze_seconds",
            "How long the subvolume's filesystem stayed frozen for its newest snapshot taken while mounted; absent when none was.",
            gauges.Volumes.Where(volume => volume.LastFreeze is not null).Select(volume => (Volume(volume), volume.LastFreeze!.Value.TotalSeconds)));
        return text.ToString();
    }

    /// <summary>
    /// The gauges of a pool that could not be read: <c>subvol_pool_up</c> 0 alone, so that an alert fires and no figure
    /// from an earlier reading is served as if it were current.
    /// </summary>
    public static string RenderDown(string pool)
    {
        var text = new StringBuilder();
        Family(text, UpName, UpHelp, [($"pool=\"{Escape(pool)}\"", 0L)]);
        return text.ToString();
    }

    private static void Family(StringBuilder text, string name, string help, IEnumerable<(string Labels, long Value)> samples) =>
        Family(text, name, help, samples.Select(sample => (sample.Labels, sample.Value.ToString(CultureInfo.InvariantCulture))));

    // Seconds keep their fraction: a freeze lasts milliseconds. "R" round-trips the double in the invariant culture.
    private static void Family(StringBuilder text, string name, string help, IEnumerable<(string Labels, double Value)> samples) =>
        Family(text, name, help, samples.Select(sample => (sample.Labels, sample.Value.ToString("R", CultureInfo.InvariantCulture))));

    private static void Family(StringBuilder text, string name, string help, IEnumerable<(string Labels, string Value)> samples)
    {
        text.Append(CultureInfo.InvariantCulture, $"# HELP {name} {help}\n# TYPE {name} gauge\n");
        foreach (var (labels, value) in samples)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}{{{labels}}} {value}\n");
        }
    }

    // The text format's label values escape backslash, double quote and line feed.
    private static string Escape(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
}
