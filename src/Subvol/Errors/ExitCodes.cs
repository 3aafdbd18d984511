
namespace Subvol.Errors;

/// <summary>
/// The documented exit codes of the command line (README, "Exit codes"): the one table by which an
/// error becomes a number, and by which replication over ssh reads the remote command's number back.
/// </summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int Usage = 2;
    public const int NotFound = 3;
    public const int AlreadyExists = 4;
    public const int Busy = 5;
    public const int NoSpace = 6;
    public const int NotSupported = 7;
    public const int StreamCorrupt = 8;
    public const int StreamMismatch = 9;
    public const int Inconsistent = 10;
    public const int ReadOnly = 11;
    public const int DamagedMetadata = 12;
    public const int Interrupted = 130;

    private static readonly (SubvolErrorCode Code, int Exit)[] Table =
    [
        (SubvolErrorCode.NotFound, NotFound),
        (SubvolErrorCode.AlreadyExists, AlreadyExists),
        (SubvolErrorCode.Busy, Busy),
        (SubvolErrorCode.InvalidArgument, Usage),
        (SubvolErrorCode.NoSpace, NoSpace),
        (SubvolErrorCode.NotSupported, NotSupported),
        (SubvolErrorCode.StreamCorrupt, StreamCorrupt),
        (SubvolErrorCode.StreamMismatch, StreamMismatch),
        (SubvolErrorCode.Inconsistent, Inconsistent),
        (SubvolErrorCode.ReadOnly, ReadOnly),
        (SubvolErrorCode.DamagedMetadata, DamagedMetadata),
        (SubvolErrorCode.Interrupted, Interrupted),
    ];

    public static int For(SubvolErrorCode code)
    {
        foreach (var (known, exit) in Table)
        {
            if (known == code)
            {
                return exit;
            }
        }

        return Failure;
    }

    /// <summary>The error a command's exit code stands for; a code the table lacks is a plain failure.</summary>
    public static SubvolErrorCode CodeOf(int exitCode)
    {
        foreach (var (code, exit) in Table)
        {
            if (exit == exitCode)
            {
                return code;
            }
        }

        return SubvolErrorCode.Failed;
    }
}
