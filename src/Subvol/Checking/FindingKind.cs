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
    SymbolicLink,
    WrongMode,
}
