using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

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
        if (context.Json)
        {
            Mutation.Write(context.Reporter, changed: true, writer =>
            {
                Mutation.Image(writer, ImageRow.From(pool.GetSubvolume(context.Get(NewArgument))));
                writer.WriteString("renamed_from", context.Get(OldArgument));
            });
            return ExitCodes.Success;
        }

        context.Reporter.Done($"renamed {context.Get(OldArgument)} to {context.Get(NewArgument)}");
        return ExitCodes.Success;
    }
}
