using System.CommandLine;
using System.Globalization;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolSetCommand
{
    private static readonly Argument<string> PropertyArgument = new("PROPERTY") { Description = "overcommit: how far thin subvolumes may promise beyond the pool's size (1 = none)" };
    private static readonly Argument<string> ValueArgument = new("VALUE") { Description = "The new value, such as 1.5" };

    public static Command Create()
    {
        PropertyArgument.AcceptOnlyFromAmong("overcommit");
        var command = new Command("set", "Change a pool property") { PropertyArgument, ValueArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var text = context.Get(ValueArgument);
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio))
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, $"overcommit takes a ratio such as 1.5, not {Printable.Quote(text)}");
        }

        using var pool = context.OpenPool();
        pool.SetOvercommit(ratio);
        if (context.Json)
        {
            Mutation.Write(context.Reporter, changed: true, writer => PoolRows.Status.WriteObject(writer, "pool", pool.Status()));
            return ExitCodes.Success;
        }

        context.Reporter.Done($"pool {pool.Path}: overcommit {ratio.ToString("0.##", CultureInfo.InvariantCulture)}");
        return ExitCodes.Success;
    }
}
