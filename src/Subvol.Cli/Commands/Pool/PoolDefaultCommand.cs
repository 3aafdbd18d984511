using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolDefaultCommand
{
    private static readonly Argument<string?> PathArgument = new("PATH") { Description = "The pool to choose when a command names none (default: show the one set)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<bool> ClearOption = new("--clear") { Description = "Set no default pool" };

    public static Command Create()
    {
        var command = new Command("default", "Show or set the pool a command works on when neither --pool nor SUBVOL_POOL names one") { PathArgument, ClearOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var path = context.Get(PathArgument);
        if (context.Get(ClearOption))
        {
            if (path is not null)
            {
                throw new SubvolException(SubvolErrorCode.InvalidArgument, "give a PATH to set the default pool, or --clear to set none, not both");
            }

            context.Reporter.Done(context.Registry.ClearDefault() ? "cleared the default pool" : "there was no default pool");
            return ExitCodes.Success;
        }

        if (path is not null)
        {
            context.Reporter.Done($"default pool {context.Registry.SetDefault(path)}");
            return ExitCodes.Success;
        }

        // Standard output carries the path alone, so that a script reads nothing when none is set.
        if (context.Registry.DefaultPool() is { } defaultPool)
        {
            context.Reporter.Done(defaultPool);
        }
        else
        {
            context.Reporter.Note("no default pool is set");
        }

        return ExitCodes.Success;
    }
}
