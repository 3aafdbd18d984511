using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Snapshot;

internal static class DestroyCommand
{
    private static readonly Argument<string> SnapshotArgument = new("NAME@SNAPSHOT") { Description = "The snapshot" };

    public static Command Create()
    {
        var command = new Command("destroy", "Destroy a snapshot") { SnapshotArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var reference = SnapshotReference.Parse(context.Get(SnapshotArgument));
        using var pool = context.OpenPool();
        if (pool.DestroySnapshot(reference) == Outcome.AlreadyGone)
        {
            context.Reporter.Error($"subvolume {Printable.Quote(reference.Subvolume)} has no snapshot {Printable.Quote(reference.Snapshot)}");
            return ExitCodes.NotFound;
        }

        context.Reporter.Done($"destroyed {reference}");
        return ExitCodes.Success;
    }
}
