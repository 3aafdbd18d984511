using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Subvolume;

internal static class DeleteCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "The subvolume" };
    private static readonly Option<bool> RecursiveOption = new("--recursive", "-r") { Description = "Destroy its snapshots too" };

    public static Command Create()
    {
        var command = new Command("delete", "Delete an unmounted subvolume (and, with --recursive, its snapshots)") { NameArgument, RecursiveOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var name = context.Get(NameArgument);
        var outcome = pool.DeleteSubvolume(name, context.Get(RecursiveOption));
        if (outcome == Outcome.AlreadyGone)
        {
            context.Reporter.Error($"pool {pool.Path} has no subvolume {Printable.Quote(name)}");
            return ExitCodes.NotFound;
        }

        context.Reporter.Done($"deleted {name}");
        return ExitCodes.Success;
    }
}
