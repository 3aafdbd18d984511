using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Subvolume;

internal static class DeleteCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "The subvolume" };
    private static readonly Option<bool> RecursiveOption = new("--recursive", "-r") { Description = "Destroy its snapshots too" };

    public static Command Create()
    {
        var command = new Command("delete", "Delete an unmounted subvolume (and, with --recursive, its snapshots)") { NameArgument, RecursiveOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var name = context.Get(NameArgument);
        // What is about to go, read first, since afterwards nothing is left to describe.
        var subvolume = context.Json ? pool.FindSubvolume(name) : null;
        var snapshots = subvolume is not null && context.Get(RecursiveOption) ? pool.FindSnapshots(name) : [];
        var outcome = pool.DeleteSubvolume(name, context.Get(RecursiveOption));
        if (outcome == Outcome.AlreadyGone)
        {
            context.Reporter.Error($"pool {pool.Path} has no subvolume {Printable.Quote(name)}");
            return ExitCodes.NotFound;
        }

        if (context.Json && subvolume is not null)
        {
            Mutation.Write(context.Reporter, changed: true, writer =>
            {
                Mutation.Image(writer, ImageRow.From(subvolume));
                ImageRow.Listing.WriteArray(writer, "destroyed", snapshots.Select(ImageRow.From));
            });
            return ExitCodes.Success;
        }

        context.Reporter.Done($"deleted {name}");
        return ExitCodes.Success;
    }
}
