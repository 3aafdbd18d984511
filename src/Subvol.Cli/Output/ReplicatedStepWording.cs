
namespace Subvol.Cli.Output;

/// <summary>What replicate did, one line per step, in the command line's words.</summary>
internal static class ReplicatedStepWording
{
    public static string For(ReplicatedStep step, string destination)
    {
        var snapshot = $"{step.Subvolume}@{step.Snapshot}";
        return step.Kind switch
        {
            ReplicatedStepKind.TookSnapshot => $"took snapshot {snapshot}",
            ReplicatedStepKind.UpToDate => $"{destination} is up to date with {snapshot}",
            ReplicatedStepKind.DiscardedStale =>
                $"discarded the interrupted transfer of {snapshot} at {destination}: it was sent from base snapshot {step.Base}, which this pool no longer has, so it could never be finished",
            ReplicatedStepKind.Resumed => $"resumed {snapshot} at {destination} ({ByteSize.Format(step.DataBytes)})",
            ReplicatedStepKind.SentIncremental => $"sent {snapshot} incrementally from {step.Base} to {destination} ({ByteSize.Format(step.DataBytes)})",
            ReplicatedStepKind.SentFull => $"sent {snapshot} in full to {destination} ({ByteSize.Format(step.DataBytes)})",
            ReplicatedStepKind.DestroyedHere => $"destroyed {snapshot}: no target needs it since {step.Base}",
            ReplicatedStepKind.DestroyedAtDestination => $"destroyed {snapshot} at {destination}: it is older than the base {step.Base}",
            _ => step.ToString(),
        };
    }
}
