using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Snapshot;

internal static class RollbackCommand
{
    private static readonly Argument<string> SnapshotArgument = new("NAME@SNAPSHOT") { Description = "The snapshot to go back to" };
    private static readonly Option<bool> ForceOption = new("--force", "-f") { Description = "Destroy the snapshots newer than it" };

    public static Command Create()
    {
        var command = new Command("rollback", "Put an unmounted subvolume back to a snapshot") { SnapshotArgument, ForceOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var reference = SnapshotReference.Parse(context.Get(SnapshotArgument));
        using var pool = context.OpenPool();
        // The snapshots a forced rollback destroys, read first, since afterwards nothing is left to describe.
        var before = context.Json ? pool.FindSnapshots(reference.Subvolume) : [];
        var destroyed = context.Reporter.Progress("rolling back", () => pool.Rollback(reference, context.Get(ForceOption)));
        if (context.Json)
        {
            Mutation.Write(context.Reporter, changed: true, writer =>
            {
                Mutation.Image(writer, ImageRow.From(pool.GetSubvolume(reference.Subvolume)));
                Mutation.Image(writer, ImageRow.From(pool.GetSnapshot(reference)));
                ImageRow.Listing.WriteArray(writer, "destroyed", before.Where(snapshot => destroyed.Contains(snapshot.Name)).Select(ImageRow.From));
            });
            return ExitCodes.Success;
        }

        context.Reporter.Done(destroyed.Count == 0
            ? $"rolled {reference.Subvolume} back to {reference}"
            : $"rolled {reference.Subvolume} back to {reference}, destroying {string.Join(", ", destroyed)}");
        return ExitCodes.Success;
    }
}
