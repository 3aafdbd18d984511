using System.CommandLine;
using System.Globalization;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolSetCommand
{
    private static readonly Argument<string> PropertyArgument = new("PROPERTY")
    {
        Description = "overcommit: how far thin subvolumes may promise beyond the pool's size (1 = none); key-file: a key file (mode 0600) that unlocks encrypted subvolumes when a command is given no key",
    };
    private static readonly Argument<string> ValueArgument = new("VALUE") { Description = "The new value, such as 1.5, or a file" };

    public static Command Create()
    {
        PropertyArgument.AcceptOnlyFromAmong("overcommit", "key-file");
        var command = new Command("set", "Change a pool property") { PropertyArgument, ValueArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var text = context.Get(ValueArgument);
        if (context.Get(PropertyArgument) == "key-file")
        {
            using var keyPool = context.OpenPool();
            keyPool.SetKeyFile(text);
            if (context.Json)
            {
                Mutation.Write(context.Reporter, changed: true, writer => PoolRows.Status.WriteObject(writer, "pool", keyPool.Status()));
                return ExitCodes.Success;
            }

            context.Reporter.Done($"pool {keyPool.Path}: key-file {keyPool.KeyFile}");
            return ExitCodes.Success;
        }

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
