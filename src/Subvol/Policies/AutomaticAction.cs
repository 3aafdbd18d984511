namespace Subvol.Policies;

/// <summary>One step of an automatic run, for a subvolume of a pool, and for a target when it concerns one.</summary>
/// <param name="Base">For an incremental send, the snapshot it was sent from.</param>
/// <param name="Detail">Why a step failed or was paused, or which hook; null otherwise.</param>
public sealed record AutomaticAction(
    AutomaticActionKind Kind,
    string Pool,
    string Subvolume,
    string? Snapshot = null,
    string? Target = null,
    string? Base = null,
    long Bytes = 0,
    string? Detail = null)
{
    public bool IsFailure => Kind is AutomaticActionKind.SnapshotFailed or AutomaticActionKind.HookFailed or AutomaticActionKind.TargetFailed or AutomaticActionKind.PoolFailed or AutomaticActionKind.PruneFailed
        or AutomaticActionKind.Interrupted;
}
