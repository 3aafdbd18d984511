namespace Subvol.Policies;

/// <summary>What one step of an automatic run did (or, in a dry run, would do).</summary>
public enum AutomaticActionKind
{
    TookSnapshot,
    SnapshotFailed,
    HookFailed,
    UpToDate,
    SentFull,
    SentIncremental,
    Resumed,
    DiscardedStale,
    PrunedOnTarget,
    TargetFailed,
    Pruned,
    PruningPaused,

    /// <summary>Pruning here failed (a snapshot mounted, say); what it could not destroy stays for the next run.</summary>
    PruneFailed,

    /// <summary>The pool of a policy could not be opened, so none of its subvolumes were looked at.</summary>
    PoolFailed,

    /// <summary>A signal stopped the run: the transfer under way between two records, or the run before its next step; the rest waits for the next run.</summary>
    Interrupted,
}
