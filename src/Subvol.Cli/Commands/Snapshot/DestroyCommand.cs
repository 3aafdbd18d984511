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
        if (result.Missing.Count > 0)
        {
            // A clean failure: one error line naming every missing one, nothing on standard output, and what did go said beside it.
            var missing = result.Missing.Select(reference => pool.FindSubvolume(reference.Subvolume) is null
                ? $"pool {pool.Path} has no subvolume {Printable.Quote(reference.Subvolume)}"
                : $"subvolume {Printable.Quote(reference.Subvolume)} has no snapshot {Printable.Quote(reference.Snapshot)}");
            context.Reporter.Error(string.Join("; ", missing));
            foreach (var destroyed in result.Destroyed)
            {
                context.Reporter.Note($"destroyed {destroyed.FullName}");
            }

            return ExitCodes.NotFound;
        }

        if (context.Json)
        {
            Mutation.Write(context.Reporter, changed: result.Destroyed.Count > 0, writer =>
            {
                // One snapshot named alone keeps the shape a single destroy always had.
                if (result.Destroyed.Count == 1)
                {
                    Mutation.Image(writer, ImageRow.From(result.Destroyed[0]));
                }

                ImageRow.Listing.WriteArray(writer, "destroyed", result.Destroyed.Select(ImageRow.From));
            });
            return ExitCodes.Success;
        }

        foreach (var destroyed in result.Destroyed)
        {
            context.Reporter.Done($"destroyed {destroyed.FullName}");
        }

        return ExitCodes.Success;
    }
}
