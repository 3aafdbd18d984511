using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolStatusCommand
{
    private static readonly ListingOptions<PoolStatus> Listing = new(PoolRows.Status);

    public static Command Create()
    {
        var command = new Command("status", "Show a pool's host filesystem, space and contents");
        Listing.AddTo(command);
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var view = Listing.View(context);
        using var pool = context.OpenPool();
        context.Reporter.Row(pool.Status(), view);
        return ExitCodes.Success;
    }
}
