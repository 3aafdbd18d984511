using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Subvolume;

internal static class ListCommand
{
    private static readonly Argument<string?> NameArgument = new("NAME") { Description = "List only this subvolume (or its snapshots)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string> TypeOption = new("--type", "-t")
    {
        Description = "What to list",
        DefaultValueFactory = _ => "subvolume",
        HelpName = "subvolume|snapshot|all",
    };

    private static readonly ListingOptions<ImageRow> Listing = new(ImageRow.Listing);

    public static Command Create()
    {
        TypeOption.AcceptOnlyFromAmong("subvolume", "snapshot", "all");
        var command = new Command("list", "List subvolumes or snapshots") { NameArgument, TypeOption };
        Listing.AddTo(command);
        command.Aliases.Add("ls");
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var name = context.Get(NameArgument);
        var type = context.Get(TypeOption);
        var view = Listing.View(context, type switch
        {
            "snapshot" => ImageRow.SnapshotColumns,
            "all" => ImageRow.AllColumns,
            _ => ImageRow.SubvolumeColumns,
        });
        using var pool = context.OpenPool();
        if (type == "snapshot")
        {
            context.Reporter.Listing(pool.ListSnapshots(name).Select(ImageRow.From).ToList(), view);
            return ExitCodes.Success;
        }

        if (type == "all")
        {
            // One list of one shape, each subvolume followed by its snapshots, as 'zfs list -t all' shows them.
            var (subvolumes, snapshots) = pool.ListImages(name);
            var snapshotsOf = snapshots.ToLookup(snapshot => snapshot.Subvolume);
            var listed = subvolumes.Select(subvolume => subvolume.Name).ToHashSet();
            var rows = new List<ImageRow>(subvolumes.Count + snapshots.Count);
            foreach (var subvolume in subvolumes)
            {
                rows.Add(ImageRow.From(subvolume));
                rows.AddRange(snapshotsOf[subvolume.Name].Select(ImageRow.From));
            }

            rows.AddRange(snapshots.Where(snapshot => !listed.Contains(snapshot.Subvolume)).Select(ImageRow.From));
            context.Reporter.Listing(rows, view);
            return ExitCodes.Success;
        }

        // GetSubvolume refuses an unknown name; the listing fills in the numbers that need every extent map.
        var subvolumesListed = name is null ? pool.ListSubvolumes() : [pool.ListSubvolumes().FirstOrDefault(subvolume => subvolume.Name == name) ?? pool.GetSubvolume(name)];
        context.Reporter.Listing(subvolumesListed.Select(ImageRow.From).ToList(), view);
        foreach (var receive in pool.ListPartialReceives())
        {
            context.Reporter.Note(
                $"a receive of {receive.Subvolume}@{receive.Snapshot} was interrupted at {receive.ConfirmedOffset * 100 / Math.Max(1, receive.ImageSize)}%; it can resume ('subvol receive --resume-token {receive.Subvolume}')");
        }

        return ExitCodes.Success;
    }
}
