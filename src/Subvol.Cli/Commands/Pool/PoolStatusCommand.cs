using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolStatusCommand
{
    private static readonly Argument<string?> PathArgument = new("PATH") { Description = "The pool's directory (default: the chosen pool)", Arity = ArgumentArity.ZeroOrOne };

    private static readonly ListingOptions<PoolStatus> Listing = new(PoolRows.Status);

    public static Command Create()
    {
        var command = new Command("status", "Show a pool's host filesystem, space and contents") { PathArgument };
        Listing.AddTo(command);
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var view = Listing.View(context);
        using var pool = context.OpenPool(context.Get(PathArgument));
        context.Reporter.Row(pool.Status(), view);
        return ExitCodes.Success;
    }
}
