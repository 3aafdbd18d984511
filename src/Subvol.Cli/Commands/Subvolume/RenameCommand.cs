using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Subvolume;

internal static class RenameCommand
{
    private static readonly Argument<string> OldArgument = new("OLD") { Description = "The subvolume's name" };
    private static readonly Argument<string> NewArgument = new("NEW") { Description = "Its new name" };

    public static Command Create()
    {
        var command = new Command("rename", "Rename an unmounted subvolume and its snapshots") { OldArgument, NewArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        pool.RenameSubvolume(context.Get(OldArgument), context.Get(NewArgument));
        context.Reporter.Done($"renamed {context.Get(OldArgument)} to {context.Get(NewArgument)}");
        return ExitCodes.Success;
    }
}
