using System.Text.Json;
using Subvol.Policies;

namespace Subvol.Cli.Output;

/// <summary>The fields of 'subvol auto' (one row per step) and 'subvol auto status' (one row per subvolume and target).</summary>
internal static class AutomaticRows
{
    public static readonly Listing<AutomaticAction> Actions = new(
        [
            new("action", action => Name(action.Kind)),
            new("pool", action => action.Pool),
            new("subvolume", action => action.Subvolume),
            new("snapshot", action => action.Snapshot),
            new("target", action => action.Target),
            new("base", action => action.Base),
            new("data_bytes", action => action.Bytes),
            new("detail", action => action.Detail),
        ],
        ["action", "subvolume", "snapshot", "target", "data_bytes", "detail"]);

    public static readonly Listing<StatusRow> Status = new(
        [
            new("pool", row => row.Status.Pool),
            new("subvolume", row => row.Status.Subvolume),
            new("policy", row => row.Status.Section),
            new("last_snapshot", row => row.Status.LastSnapshot),
            new("last_snapshot_at", row => row.Status.LastSnapshotAt),
            new("next_due", row => row.Status.NextDue),
            new("automatic_snapshots", row => row.Status.AutomaticSnapshots),
            new("kept", row => string.Join(' ', row.Status.Kept.OrderBy(entry => entry.Key, StringComparer.Ordinal).Select(entry => $"{entry.Key}={entry.Value}"))),
            new("target", row => row.Target?.Target),
            new("last_replicated", row => row.Target?.LastReplicated),
            new("replicated_at", row => row.Target?.ReplicatedAt),
            new("snapshots_behind", row => row.Target?.SnapshotsBehind),
            new("seconds_behind", row => row.Target?.Behind is { } behind ? (long)behind.TotalSeconds : null),
        ],
        ["subvolume", "policy", "last_snapshot", "next_due", "kept", "target", "last_replicated", "snapshots_behind"]);

    public static string Name(AutomaticActionKind kind) => JsonNamingPolicy.SnakeCaseLower.ConvertName(kind.ToString());

    /// <summary>One subvolume's standing with one of its targets; a subvolume without targets has one row without one.</summary>
    internal sealed record StatusRow(PolicyStatus Status, TargetStatus? Target)
    {
        public static IEnumerable<StatusRow> Of(PolicyStatus status) =>
            status.Targets.Count == 0 ? [new StatusRow(status, null)] : status.Targets.Select(target => new StatusRow(status, target));
    }
}
