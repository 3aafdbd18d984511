using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Snapshot;

internal static class SnapshotCommand
{
    private static readonly Argument<string> TargetArgument = new("NAME[@SNAPSHOT]") { Description = "The subvolume, and optionally the snapshot's name (default: the UTC time)" };

    public static Command Create()
    {
        var command = new Command("snapshot", "Take an immutable snapshot: freeze, reflink-clone the image, thaw") { TargetArgument };
        command.Aliases.Add("snap");
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var (subvolume, snapshot) = SnapshotReference.Split(context.Get(TargetArgument));
        using var pool = context.OpenPool();
        var created = pool.CreateSnapshot(subvolume, snapshot);
        if (context.Json)
        {
            Mutation.Write(context.Reporter, changed: true, writer => Mutation.Image(writer, ImageRow.From(created)));
            return ExitCodes.Success;
        }

        context.Reporter.Done($"created snapshot {created.FullName}");
        return ExitCodes.Success;
    }
}
