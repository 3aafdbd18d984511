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
    /// <summary>An image, or the pool's .subvol directory, lacks its identity attribute or carries one that cannot be read.</summary>
    IdentityMissing,
    /// <summary>An identity attribute says something other than the database.</summary>
    IdentityMismatch,
    /// <summary>The database was missing or damaged and was rebuilt from the images.</summary>
    MetadataRebuilt,
    /// <summary>A subvolume or snapshot that a rebuild brought back from its image's identity.</summary>
    ImageRestored,
    SymbolicLink,
    WrongMode,
}
