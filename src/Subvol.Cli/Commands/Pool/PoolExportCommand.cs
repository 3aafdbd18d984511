using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolExportCommand
{
    private static readonly Argument<string?> PathArgument = new("PATH") { Description = "The pool's directory (default: the chosen pool)", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var command = new Command("export", "Unmount everything in a pool, detach a file-backed pool, and forget it on this machine") { PathArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var path = context.PoolPath(context.Get(PathArgument));
        Subvol.Pool.Export(path, context.Registry);
        context.Reporter.Done($"exported pool {PoolRegistry.Normalize(path)}");
        return ExitCodes.Success;
    }
}
