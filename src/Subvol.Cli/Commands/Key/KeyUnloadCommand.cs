using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Key;

internal static class KeyUnloadCommand
{
    private static readonly Argument<string> TargetArgument = new("NAME[@SNAPSHOT]") { Description = "A mounted encrypted subvolume or snapshot" };

    public static Command Create()
    {
        var command = new Command("unload", "Lock the encrypted tree of a mounted subvolume without unmounting it (FS_IOC_REMOVE_ENCRYPTION_KEY)") { TargetArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var target = context.Get(TargetArgument);
        var outcome = pool.UnloadKey(target);
        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(outcome), writer => Mutation.Image(writer, ImageRow.Of(pool, target)));
            return ExitCodes.Success;
        }

        context.Reporter.Done(outcome == Outcome.Changed ? $"unloaded the key of {target}" : $"the key of {target} was not loaded");
        return ExitCodes.Success;
    }
}
