using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Space;

internal static class DfCommand
{
    public static Command Create()
    {
        var command = new Command("df", "Show referenced, exclusive and shared bytes of every subvolume and snapshot, with pool totals");
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var usage = pool.Usage();
        if (context.Json)
        {
            context.Reporter.WriteJson(usage, CliJsonContext.Default.SpaceUsage);
            return ExitCodes.Success;
        }

        context.Reporter.Table(
            usage.Images,
            new Column<ImageUsage>("NAME", image => image.Name),
            new Column<ImageUsage>("SIZE", image => Units.Size(image.Size), AlignRight: true),
            new Column<ImageUsage>("REFERENCED", image => Units.Size(image.Referenced), AlignRight: true),
            new Column<ImageUsage>("EXCLUSIVE", image => Units.Size(image.Exclusive), AlignRight: true),
            new Column<ImageUsage>("SHARED", image => Units.Size(image.Shared), AlignRight: true));
        context.Reporter.Done(
            $"images hold {Units.Size(usage.Allocated)}; pool {Units.Size(usage.PoolSize)}, used {Units.Size(usage.PoolUsed)}, available {Units.Size(usage.PoolAvailable)}");
        return ExitCodes.Success;
    }
}
