using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Subvolume;

internal static class UnmountCommand
{
    private static readonly Argument<string> TargetArgument = new("NAME[@SNAPSHOT]|DIR") { Description = "The subvolume or snapshot to unmount, or the directory it is mounted on (a path with a '/')" };

    public static Command Create()
    {
        var command = new Command("umount", "Unmount a subvolume or snapshot and detach its loop device") { TargetArgument };
        command.Aliases.Add("unmount");
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var target = context.Get(TargetArgument);
        var outcome = pool.Unmount(target);
        if (context.Json)
        {
            // A directory names no subvolume: what it said is where something was unmounted.
            Mutation.Write(context.Reporter, Mutation.Changed(outcome), writer =>
            {
                if (NameRules.IsPath(target))
                {
                    writer.WriteString("mountpoint", Path.TrimEndingDirectorySeparator(Path.GetFullPath(target)));
                }
                else
                {
                    Mutation.Image(writer, ImageRow.Of(pool, target));
                }
            });
            return ExitCodes.Success;
        }

        context.Reporter.Done(outcome == Outcome.Deleted ? $"unmounted {target}" : $"{target} was not mounted");
        return ExitCodes.Success;
    }
}
