using Subvol.Replication;

namespace Subvol.Checking;

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

    /// <summary>
    /// A staging mount point under .subvol, where an encrypted subvolume's filesystem is mounted whole for a moment,
    /// that a mount, create or key unload left when it was killed: still mounted, or an empty directory.
    /// </summary>
    LeftoverStagingMount,
    EmptyDirectory,
    UnknownFile,
    /// <summary>An image, or the pool's .subvol directory, lacks its identity attribute or carries one that cannot be read.</summary>
    IdentityMissing,
    /// <summary>An identity attribute says something other than the database.</summary>
    IdentityMismatch,
    /// <summary>The database was missing or damaged and was rebuilt from the images.</summary>
    MetadataRebuilt,
    /// <summary>A subvolume or snapshot that a rebuild brought back from its image's identity.</summary>
    ImageRestored,

    /// <summary>A replication base that a rebuild brought back from the copy beside the database.</summary>
    ReplicationBaseRestored,
    SymbolicLink,
    WrongMode,

    /// <summary>Something under the pool's directory that Subvol did not write; counted, never removed.</summary>
    ForeignFile,

    /// <summary>Other writers took part of the space reserved for guaranteed subvolumes.</summary>
    Shortfall,

    /// <summary>A file-backed pool's image, made allocated, has holes again.</summary>
    PoolImageNotAllocated,
}
