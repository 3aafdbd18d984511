using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Pool;

internal static class PoolForgetCommand
{
    private static readonly Argument<string> PathArgument = new("PATH") { Description = "The pool's directory, as 'subvol pool list' shows it" };

    public static Command Create()
    {
        var command = new Command("forget", "Remove a pool from this machine's pool list, touching neither its directory, its image nor its data") { PathArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var known = context.Registry.Forget(context.Get(PathArgument));
        context.Reporter.Done(known.Image is null
            ? $"forgot pool {known.Path}; its data is untouched, and 'subvol pool import {known.Path}' brings it back"
            : $"forgot pool {known.Path}; its image {known.Image} is untouched, and 'subvol pool import {known.Path} --image {known.Image}' brings it back");
        return ExitCodes.Success;
    }
}
