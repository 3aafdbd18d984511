using System.CommandLine;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolCommand
{
    public static Command Create() => new("pool", "Create, import, export and inspect pools")
    {
        PoolCreateCommand.Create(),
        PoolImportCommand.Create(),
        PoolExportCommand.Create(),
        PoolStatusCommand.Create(),
        PoolListCommand.Create(),
        PoolSetCommand.Create(),
    };
}
