using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Snapshot;

internal static class CloneCommand
{
    private static readonly Argument<string> SnapshotArgument = new("NAME@SNAPSHOT") { Description = "The snapshot to clone" };
    private static readonly Argument<string> NewArgument = new("NEW") { Description = "The new subvolume's name" };

    private static readonly Option<string> ProvisioningOption = new("--provisioning")
    {
        Description = "guaranteed reserves the clone's whole size as copy-on-write headroom; thin does not",
        DefaultValueFactory = _ => ProvisioningNames.Guaranteed,
        HelpName = "guaranteed|thin",
    };

    public static Command Create()
    {
        ProvisioningOption.AcceptOnlyFromAmong(ProvisioningNames.Guaranteed, ProvisioningNames.Thin);
        var command = new Command("clone", "Make an independent, writable subvolume from a snapshot") { SnapshotArgument, NewArgument, ProvisioningOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var reference = SnapshotReference.Parse(context.Get(SnapshotArgument));
        using var pool = context.OpenPool();
        var result = context.Reporter.Progress("cloning", () => pool.CloneSnapshot(reference, context.Get(NewArgument), ProvisioningNames.Parse(context.Get(ProvisioningOption))));
        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => Mutation.Image(writer, ImageRow.From(result.Value)));
            return ExitCodes.Success;
        }

        context.Reporter.Done(result.Outcome == Outcome.Created
            ? $"cloned {reference} to {result.Value.Name}"
            : $"{result.Value.Name} is already a clone of {reference}");
        return ExitCodes.Success;
    }
}
