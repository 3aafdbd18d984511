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

    public static Command Create()
    {
        TypeOption.AcceptOnlyFromAmong("subvolume", "snapshot", "all");
        var command = new Command("list", "List subvolumes or snapshots") { NameArgument, TypeOption };
        command.Aliases.Add("ls");
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var name = context.Get(NameArgument);
        var type = context.Get(TypeOption);
        if (type == "snapshot")
        {
            WriteSnapshots(context, pool.ListSnapshots(name));
            return ExitCodes.Success;
        }

        // GetSubvolume refuses an unknown name; the listing fills in the numbers that need every extent map.
        var subvolumes = name is null ? pool.ListSubvolumes() : [pool.ListSubvolumes().FirstOrDefault(subvolume => subvolume.Name == name) ?? pool.GetSubvolume(name)];
        if (type == "all")
        {
            if (context.Json)
            {
                context.Reporter.WriteJson(new Listing(subvolumes, pool.ListSnapshots(name)), CliJsonContext.Default.Listing);
                return ExitCodes.Success;
            }

            WriteSubvolumes(context, subvolumes);
            context.Reporter.Done("");
            WriteSnapshots(context, pool.ListSnapshots(name));
            return ExitCodes.Success;
        }

        WriteSubvolumes(context, subvolumes);
        foreach (var receive in pool.ListPartialReceives())
        {
            context.Reporter.Note(
                $"a receive of {receive.Subvolume}@{receive.Snapshot} was interrupted at {receive.ConfirmedOffset * 100 / Math.Max(1, receive.ImageSize)}%; it can resume ('subvol receive --resume-token {receive.Subvolume}')");
        }

        return ExitCodes.Success;
    }

    private static void WriteSubvolumes(CommandContext context, IReadOnlyList<SubvolumeInfo> subvolumes)
    {
        if (context.Json)
        {
            context.Reporter.WriteJson(subvolumes, CliJsonContext.Default.IReadOnlyListSubvolumeInfo);
            return;
        }

        context.Reporter.Table(
            subvolumes,
            new Column<SubvolumeInfo>("NAME", s => s.Name),
            new Column<SubvolumeInfo>("SIZE", s => Units.Size(s.Size), AlignRight: true),
            new Column<SubvolumeInfo>("REFERENCED", s => Units.Size(s.AllocatedBytes), AlignRight: true),
            new Column<SubvolumeInfo>("EXCLUSIVE", s => s.Exclusive is { } bytes ? Units.Size(bytes) : "-", AlignRight: true),
            new Column<SubvolumeInfo>("FS", s => s.FileSystem),
            new Column<SubvolumeInfo>("PROVISIONING", s => ProvisioningNames.Format(s.Provisioning)),
            new Column<SubvolumeInfo>("SNAPSHOTS", s => s.Snapshots.ToString(System.Globalization.CultureInfo.InvariantCulture), AlignRight: true),
            new Column<SubvolumeInfo>("MOUNTPOINT", s => s.MountPoint ?? "-"));
    }

    private static void WriteSnapshots(CommandContext context, IReadOnlyList<SnapshotInfo> snapshots)
    {
        if (context.Json)
        {
            context.Reporter.WriteJson(snapshots, CliJsonContext.Default.IReadOnlyListSnapshotInfo);
            return;
        }

        context.Reporter.Table(
            snapshots,
            new Column<SnapshotInfo>("NAME", s => s.FullName),
            new Column<SnapshotInfo>("SIZE", s => Units.Size(s.Size), AlignRight: true),
            new Column<SnapshotInfo>("REFERENCED", s => Units.Size(s.AllocatedBytes), AlignRight: true),
            new Column<SnapshotInfo>("EXCLUSIVE", s => s.Exclusive is { } bytes ? Units.Size(bytes) : "-", AlignRight: true),
            new Column<SnapshotInfo>("FS", s => s.FileSystem),
            new Column<SnapshotInfo>("CREATED", s => Units.Time(s.Created)),
            new Column<SnapshotInfo>("MOUNTPOINT", s => s.MountPoint ?? "-"));
    }
}
