using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolStatusCommand
{
    private static readonly Argument<string?> PathArgument = new("PATH") { Description = "The pool's directory (default: the chosen pool)", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var command = new Command("status", "Show a pool's host filesystem, space and contents") { PathArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool(context.Get(PathArgument));
        var status = pool.Status();
        if (context.Json)
        {
            context.Reporter.WriteJson(status, CliJsonContext.Default.PoolStatus);
            return ExitCodes.Success;
        }

        context.Reporter.Table(
            [status],
            new Column<PoolStatus>("POOL", s => s.Path),
            new Column<PoolStatus>("HOST", s => s.HostFileSystem),
            new Column<PoolStatus>("SIZE", s => Units.Size(s.Size), AlignRight: true),
            new Column<PoolStatus>("USED", s => Units.Size(s.Used), AlignRight: true),
            new Column<PoolStatus>("IMAGES", s => Units.Size(s.ImagesUsed), AlignRight: true),
            new Column<PoolStatus>("RESERVED", s => Units.Size(s.Reserved), AlignRight: true),
            new Column<PoolStatus>("SHORTFALL", s => Units.Size(s.Shortfall), AlignRight: true),
            new Column<PoolStatus>("AVAIL", s => Units.Size(s.Available), AlignRight: true),
            new Column<PoolStatus>("PROVISIONED", s => Units.Size(s.Provisioned), AlignRight: true),
            new Column<PoolStatus>("OVERCOMMIT", s => s.Overcommit.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture), AlignRight: true),
            new Column<PoolStatus>("SUBVOLUMES", s => s.Subvolumes.ToString(System.Globalization.CultureInfo.InvariantCulture), AlignRight: true),
            new Column<PoolStatus>("SNAPSHOTS", s => s.Snapshots.ToString(System.Globalization.CultureInfo.InvariantCulture), AlignRight: true),
            new Column<PoolStatus>("MOUNTED", s => s.Mounted.ToString(System.Globalization.CultureInfo.InvariantCulture), AlignRight: true),
            new Column<PoolStatus>("IMAGE", s => s.Image is null ? "-" : s.ImageSparse == true ? $"{s.Image} (sparse)" : $"{s.Image} (allocated)"));
        return ExitCodes.Success;
    }
}
