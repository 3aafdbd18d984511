using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Commands.Subvolume;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Key;

internal static class KeyLoadCommand
{
    private static readonly Argument<string> TargetArgument = new("NAME[@SNAPSHOT]") { Description = "A mounted encrypted subvolume or snapshot" };
    private static readonly KeyOptions Key = new("", "unlocks it");

    public static Command Create()
    {
        var command = new Command("load", "Unlock the encrypted tree of a mounted subvolume again (FS_IOC_ADD_ENCRYPTION_KEY)") { TargetArgument };
        Key.AddTo(command);
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var target = context.Get(TargetArgument);
        using var key = MountCommand.ReadKey(context, pool, target, Key);
        var outcome = pool.LoadKey(target, key);
        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(outcome), writer => Mutation.Image(writer, ImageRow.Of(pool, target)));
            return ExitCodes.Success;
        }

        context.Reporter.Done(outcome == Outcome.Changed ? $"loaded the key of {target}" : $"the key of {target} was loaded already");
        return ExitCodes.Success;
    }
}
