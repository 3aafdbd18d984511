using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Subvolume;

internal static class SetCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "The subvolume" };

    private static readonly Argument<string[]> SettingsArgument = new("KEY=VALUE")
    {
        Description = "What to change: provisioning=guaranteed|thin",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Command Create()
    {
        var command = new Command("set", "Change a subvolume's settings in place, mounted or not") { NameArgument, SettingsArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        // Every setting is checked before the pool is touched, so one bad word changes nothing.
        var settings = SubvolumeSettings.Parse(context.Get(SettingsArgument));
        using var pool = context.OpenPool();
        var name = context.Get(NameArgument);
        var result = context.Reporter.Progress("changing", () => pool.ChangeSubvolume(name, settings));
        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => Mutation.Image(writer, ImageRow.From(result.Value)));
            return ExitCodes.Success;
        }

        var provisioning = ProvisioningNames.Format(result.Value.Provisioning);
        context.Reporter.Done(result.Outcome == Outcome.Changed
            ? $"{name} is now {provisioning}, holding {ByteSize.Format(result.Value.AllocatedBytes)} of the pool"
            : $"{name} is already {provisioning}");
        return ExitCodes.Success;
    }
}
