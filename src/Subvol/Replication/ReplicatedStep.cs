
namespace Subvol.Replication;

/// <summary>
/// One thing replicate did, as data that each front end words: what happened, to which snapshot
/// (<paramref name="Subvolume"/>@<paramref name="Snapshot"/>), from which base, and how many bytes of image data it sent.
/// </summary>
/// <param name="Base">
/// For an incremental send the base snapshot's name; for a discarded transfer the GUID of the base this pool no longer has;
/// for a destroyed sync snapshot the new base that made it unneeded; else null.
/// </param>
public sealed record ReplicatedStep(ReplicatedStepKind Kind, string Subvolume, string Snapshot, string? Base = null, long DataBytes = 0);

public enum ReplicatedStepKind
{
    /// <summary>Took the snapshot that it then brought across.</summary>
    TookSnapshot,

    /// <summary>The destination already holds the newest snapshot; nothing was sent.</summary>
    UpToDate,

    /// <summary>Discarded the destination's interrupted transfer, sent from a base this pool no longer has, so it could never be finished.</summary>
    DiscardedStale,

    /// <summary>Finished an interrupted transfer of the snapshot.</summary>
    Resumed,

    SentIncremental,

    SentFull,

    /// <summary>Destroyed a sync snapshot of this pool that was older than the new base and no target's base; Base names the new base.</summary>
    DestroyedHere,

    /// <summary>Destroyed a sync snapshot on the destination that was older than the new base; Base names the new base.</summary>
    DestroyedAtDestination,
}
