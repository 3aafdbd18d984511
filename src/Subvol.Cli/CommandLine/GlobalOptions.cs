using System.CommandLine;

namespace Subvol.Cli.CommandLine;

/// <summary>Options every verb takes.</summary>
internal static class GlobalOptions
{
    public static readonly Option<string?> Pool = new("--pool")
    {
        Description = "The pool to work on (default: $SUBVOL_POOL, else the pool set by 'subvol pool default', else the only pool this machine knows)",
        Recursive = true,
        HelpName = "PATH",
    };

    public static readonly Option<bool> Json = new("--json")
    {
        Description = "Print machine-readable JSON instead of a table",
        Recursive = true,
    };
}
