using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Snapshot;

internal static class CloneCommand
{
    private static readonly Argument<string> SnapshotArgument = new("NAME@SNAPSHOT") { Description = "The snapshot to clone" };
    private static readonly Argument<string> NewArgument = new("NEW") { Description = "The new subvolume's name" };

    public static Command Create()
    {
        var command = new Command("clone", "Make an independent, writable subvolume from a snapshot") { SnapshotArgument, NewArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var reference = SnapshotReference.Parse(context.Get(SnapshotArgument));
        using var pool = context.OpenPool();
        var result = context.Reporter.Progress("cloning", () => pool.CloneSnapshot(reference, context.Get(NewArgument)));
        context.Reporter.Done(result.Outcome == Outcome.Created
            ? $"cloned {reference} to {result.Value.Name}"
            : $"{result.Value.Name} is already a clone of {reference}");
        return ExitCodes.Success;
    }
}
