using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Snapshot;

internal static class DestroyCommand
{
    private static readonly Argument<string[]> SnapshotArgument = new("NAME@SNAPSHOT")
    {
        Description = "The snapshots, of one subvolume or several",
        Arity = ArgumentArity.OneOrMore,
    };

    public static Command Create()
    {
        var command = new Command("destroy", "Destroy snapshots") { SnapshotArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var references = context.Get(SnapshotArgument).Select(SnapshotReference.Parse).ToList();
        using var pool = context.OpenPool();
        var result = pool.DestroySnapshots(references);
        foreach (var missing in result.Missing)
        {
            context.Reporter.Error(pool.FindSubvolume(missing.Subvolume) is null
                ? $"pool {pool.Path} has no subvolume {Printable.Quote(missing.Subvolume)}"
                : $"subvolume {Printable.Quote(missing.Subvolume)} has no snapshot {Printable.Quote(missing.Snapshot)}");
        }

        if (context.Json && (result.Destroyed.Count > 0 || result.Missing.Count == 0))
        {
            Mutation.Write(context.Reporter, changed: result.Destroyed.Count > 0, writer =>
            {
                // One snapshot named alone keeps the shape a single destroy always had.
                if (references.Count == 1 && result.Destroyed.Count == 1)
                {
                    Mutation.Image(writer, ImageRow.From(result.Destroyed[0]));
                }

                ImageRow.Listing.WriteArray(writer, "destroyed", result.Destroyed.Select(ImageRow.From));
            });
        }
        else if (!context.Json)
        {
            foreach (var destroyed in result.Destroyed)
            {
                context.Reporter.Done($"destroyed {destroyed.FullName}");
            }
        }

        return result.Missing.Count > 0 ? ExitCodes.NotFound : ExitCodes.Success;
    }
}
