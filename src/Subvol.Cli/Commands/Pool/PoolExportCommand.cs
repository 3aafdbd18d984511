using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

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
        var outcome = Subvol.Pool.Export(path, context.Registry);
        if (context.Json)
        {
            // An exported pool stays known as exported, so that import finds its image; one that is forgotten is said so by its path alone.
            var known = context.Registry.Find(path) ?? new KnownPool(PoolRegistry.Normalize(path), null, Exported: true);
            Mutation.Write(context.Reporter, Mutation.Changed(outcome), writer => PoolRows.Known.WriteObject(writer, "pool", known));
            return ExitCodes.Success;
        }

        context.Reporter.Done($"exported pool {PoolRegistry.Normalize(path)}");
        return ExitCodes.Success;
    }
}
