using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolImportCommand
{
    private static readonly Argument<string> PathArgument = new("PATH") { Description = "The pool's directory" };
    private static readonly Option<string?> ImageOption = new("--image") { Description = "The image of a file-backed pool (default: the one this machine recorded)", HelpName = "FILE" };

    public static Command Create()
    {
        var command = new Command("import", "Bring a pool back after a reboot or a move: mount a file-backed pool's image and remember the pool") { PathArgument, ImageOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var result = Subvol.Pool.Import(context.Get(PathArgument), context.Get(ImageOption), context.Registry);
        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => PoolRows.Known.WriteObject(writer, "pool", result.Value));
            return ExitCodes.Success;
        }

        context.Reporter.Done(result.Outcome == Outcome.Created ? $"imported pool {result.Value.Path}" : $"pool {result.Value.Path} is already imported");
        return ExitCodes.Success;
    }
}
