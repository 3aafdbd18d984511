namespace Subvol.Cli.CommandLine;

/// <summary>The documented exit codes (README, "Exit codes"); the one place errors become numbers.</summary>
internal static class ExitCodes
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

    public static int For(SubvolErrorCode code) => code switch
    {
        SubvolErrorCode.NotFound => NotFound,
        SubvolErrorCode.AlreadyExists => AlreadyExists,
        SubvolErrorCode.Busy => Busy,
        SubvolErrorCode.InvalidArgument => Usage,
        SubvolErrorCode.NoSpace => NoSpace,
        SubvolErrorCode.NotSupported => NotSupported,
        SubvolErrorCode.StreamCorrupt => StreamCorrupt,
        SubvolErrorCode.StreamMismatch => StreamMismatch,
        SubvolErrorCode.Inconsistent => Inconsistent,
        SubvolErrorCode.ReadOnly => ReadOnly,
        SubvolErrorCode.DamagedMetadata => DamagedMetadata,
        _ => Failure,
    };
}
