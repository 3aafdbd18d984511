namespace Subvol;

/// <summary>What kind of failure an engine call met; front ends map it to exit codes and statuses.</summary>
public enum SubvolErrorCode
{
    NotFound,
    AlreadyExists,
    Busy,
    InvalidArgument,
    NoSpace,
    NotSupported,
    StreamCorrupt,
    StreamMismatch,
    Inconsistent,
    /// <summary>The pool's metadata database is missing or unreadable; the images are intact and 'check --repair' rebuilds it from them.</summary>
    DamagedMetadata,
}
