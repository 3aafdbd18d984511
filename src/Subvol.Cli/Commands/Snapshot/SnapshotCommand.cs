using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Snapshot;

internal static class SnapshotCommand
{
    private static readonly Argument<string[]> TargetArgument = new("NAME[@SNAPSHOT]")
    {
        Description = "The subvolume, and optionally the snapshot's name (default: the UTC time); several NAME@SNAPSHOT are one group taken at one instant",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Command Create()
    {
        var command = new Command("snapshot", "Take an immutable snapshot: freeze, reflink-clone the image, thaw") { TargetArgument };
        command.Aliases.Add("snap");
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var targets = context.Get(TargetArgument);
        if (targets.Length > 1)
        {
            return RunGroup(context, targets);
        }

        var (subvolume, snapshot) = SnapshotReference.Split(targets[0]);
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

    /// <summary>Several snapshots at one instant: each is named, since a group's members are found again by name.</summary>
    private static int RunGroup(CommandContext context, IReadOnlyList<string> targets)
    {
        var members = targets.Select(target => SnapshotReference.Split(target) is (var subvolume, { } snapshot)
            ? new SnapshotReference(subvolume, snapshot)
            : throw new SubvolException(SubvolErrorCode.InvalidArgument, $"{Printable.Quote(target)} names no snapshot; in a group, name each one as NAME@SNAPSHOT")).ToList();
        using var pool = context.OpenPool();
        var created = pool.CreateSnapshots(members);
        if (context.Json)
        {
            Mutation.Write(context.Reporter, changed: true, writer => ImageRow.Listing.WriteArray(writer, "snapshots", created.Select(ImageRow.From)));
            return ExitCodes.Success;
        }

        context.Reporter.Done($"created snapshots {string.Join(", ", created.Select(snapshot => snapshot.FullName))} at one instant");
        return ExitCodes.Success;
    }
}
