using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolListCommand
{
    public static Command Create()
    {
        var command = new Command("list", "List the pools this machine knows");
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var pools = context.Registry.List();
        if (context.Json)
        {
            context.Reporter.WriteJson(pools, CliJsonContext.Default.IReadOnlyListKnownPool);
            return ExitCodes.Success;
        }

        context.Reporter.Table(
            pools,
            new Column<KnownPool>("POOL", pool => pool.Path),
            new Column<KnownPool>("IMAGE", pool => pool.Image ?? "-"),
            new Column<KnownPool>("STATE", pool => pool.State));
        return ExitCodes.Success;
    }
}
