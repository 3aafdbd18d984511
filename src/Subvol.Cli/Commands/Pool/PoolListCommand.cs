using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolListCommand
{
    private static readonly ListingOptions<KnownPool> Listing = new(PoolRows.Known);

    public static Command Create()
    {
        var command = new Command("list", "List the pools this machine knows");
        Listing.AddTo(command);
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var view = Listing.View(context);
        context.Reporter.Listing(context.Registry.List(), view);
        return ExitCodes.Success;
    }
}
