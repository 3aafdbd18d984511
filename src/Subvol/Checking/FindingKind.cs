namespace Subvol;

/// <summary>The kinds of disagreement 'subvol check' knows between metadata, files and the kernel.</summary>
public enum FindingKind
{
    UnfinishedRename,
    AbandonedFreeze,
    MissingImage,
    SizeMismatch,
    NotImmutable,
    OrphanImage,
    PartialImage,
    PartialReceive,
    LeakedLoopDevice,
    EmptyDirectory,
    UnknownFile,

    /// <summary>Something under the pool's directory that Subvol did not write; counted, never removed.</summary>
    ForeignFile,

    /// <summary>Other writers took part of the space reserved for guaranteed subvolumes.</summary>
    Shortfall,

    /// <summary>A file-backed pool's image, made allocated, has holes again.</summary>
    PoolImageNotAllocated,
}
