using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

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
        // What is about to go, read first, since afterwards nothing is left to describe.
        var snapshot = context.Json ? pool.FindSnapshots(reference.Subvolume, reference.Snapshot).SingleOrDefault() : null;
        if (pool.DestroySnapshot(reference) == Outcome.AlreadyGone)
        {
            context.Reporter.Error($"subvolume {Printable.Quote(reference.Subvolume)} has no snapshot {Printable.Quote(reference.Snapshot)}");
            return ExitCodes.NotFound;
        }

        if (snapshot is not null)
        {
            Mutation.Write(context.Reporter, changed: true, writer => Mutation.Image(writer, ImageRow.From(snapshot)));
            return ExitCodes.Success;
        }

        context.Reporter.Done($"destroyed {reference}");
        return ExitCodes.Success;
    }
}
