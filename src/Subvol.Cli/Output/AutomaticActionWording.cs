using Subvol.Policies;

namespace Subvol.Cli.Output;

/// <summary>One line a person reads for each step of 'subvol auto', worded for a dry run as what would happen.</summary>
internal static class AutomaticActionWording
{
    public static string For(AutomaticAction action, bool dryRun)
    {
        var image = action.Snapshot is null ? action.Subvolume : $"{action.Subvolume}@{action.Snapshot}";
        var bytes = action.Bytes > 0 ? $" ({Units.Size(action.Bytes)})" : "";
        return action.Kind switch
        {
            AutomaticActionKind.TookSnapshot => dryRun ? $"would take {image} ({action.Detail})" : $"took {image} ({action.Detail})",
            AutomaticActionKind.SentFull => (dryRun ? "would send " : "sent ") + $"{image} in full to {action.Target}{bytes}",
            AutomaticActionKind.SentIncremental => (dryRun ? "would send " : "sent ") + $"{image} to {action.Target} from {action.Base}{bytes}",
            AutomaticActionKind.Resumed => (dryRun ? "would resume " : "resumed ") + $"sending {image} to {action.Target}{bytes}",
            AutomaticActionKind.DiscardedStale => (dryRun ? "would discard " : "discarded ") + $"an interrupted receive of {image} on {action.Target} whose base is gone",
            AutomaticActionKind.UpToDate => $"{action.Target} is up to date with {image}",
            AutomaticActionKind.PrunedOnTarget => (dryRun ? "would prune " : "pruned ") + $"{image} on {action.Target}",
            AutomaticActionKind.Pruned => (dryRun ? "would prune " : "pruned ") + image,
            AutomaticActionKind.PruningPaused => $"pruning of {action.Subvolume}{(action.Target is null ? "" : $" on {action.Target}")} paused: {action.Detail}",
            AutomaticActionKind.HookFailed => $"{image}: {action.Detail}",
            AutomaticActionKind.SnapshotFailed => $"could not take {image}: {action.Detail}",
            AutomaticActionKind.TargetFailed => $"could not replicate {action.Subvolume} to {action.Target}: {action.Detail}",
            AutomaticActionKind.PruneFailed => $"could not prune {action.Subvolume}: {action.Detail}",
            AutomaticActionKind.PoolFailed => $"could not open pool {action.Pool}: {action.Detail}",
            AutomaticActionKind.Interrupted when action.Target is not null => $"interrupted replicating {action.Subvolume} to {action.Target}: {action.Detail}; the next run resumes it",
            AutomaticActionKind.Interrupted => $"interrupted: {action.Detail}",
            _ => $"{AutomaticRows.Name(action.Kind)} {image}",
        };
    }
}
