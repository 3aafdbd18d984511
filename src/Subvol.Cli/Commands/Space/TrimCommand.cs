using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Space;

internal static class TrimCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "A mounted thin subvolume" };

    public static Command Create()
    {
        var command = new Command("trim", "Discard unused blocks of a mounted thin subvolume, giving the space back to the pool") { NameArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var name = context.Get(NameArgument);
        var result = context.Reporter.Progress("trimming", () => pool.Trim(name));
        if (context.Json)
        {
            Mutation.Write(context.Reporter, result.Discarded > 0, writer =>
            {
                Mutation.Image(writer, ImageRow.From(pool.GetSubvolume(name)));
                writer.WriteNumber("discarded", result.Discarded);
                writer.WriteNumber("returned", result.Returned);
            });
            return ExitCodes.Success;
        }

        context.Reporter.Done($"trimmed {name}: {ByteSize.Format(result.Discarded)} discarded, {ByteSize.Format(result.Returned)} returned to the pool");
        return ExitCodes.Success;
    }
}
