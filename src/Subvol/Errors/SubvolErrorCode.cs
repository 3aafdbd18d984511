
namespace Subvol.Errors;

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

    /// <summary>The pool's filesystem or its metadata cannot be written: mounted read-only, or made read-only by the kernel after an error.</summary>
    ReadOnly,

    /// <summary>The pool's metadata database is missing or unreadable; the images are intact and 'check --repair' rebuilds it from them.</summary>
    DamagedMetadata,

    /// <summary>A system call or an external program failed in a way no other code describes; the message says which.</summary>
    Failed,

    /// <summary>A signal stopped a transfer between two records; what was verified is kept where a resume can use it.</summary>
    Interrupted,

    /// <summary>An offset or size outside what the object holds, such as a starting offset past a snapshot's end.</summary>
    OutOfRange,
}
