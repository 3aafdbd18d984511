using System.CommandLine;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolCommand
{
    public static Command Create() => new("pool", "Create, import, export, forget and inspect pools, and choose the default one")
    {
        PoolCreateCommand.Create(),
        PoolImportCommand.Create(),
        PoolExportCommand.Create(),
        PoolStatusCommand.Create(),
        PoolListCommand.Create(),
        PoolSetCommand.Create(),
        PoolForgetCommand.Create(),
        PoolDefaultCommand.Create(),
    };
}
