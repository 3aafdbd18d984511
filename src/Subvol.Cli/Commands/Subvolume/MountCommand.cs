using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Subvolume;

internal static class MountCommand
{
    private static readonly Argument<string> TargetArgument = new("NAME[@SNAPSHOT]") { Description = "A subvolume (mounted read-write) or a snapshot (mounted read-only)" };
    private static readonly Option<string?> AtOption = new("--at") { Description = "Where to mount it (default: POOL/mounts/NAME)", HelpName = "DIR" };

    public static Command Create()
    {
        var command = new Command("mount", "Mount a subvolume, or a snapshot read-only to browse it") { TargetArgument, AtOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var target = context.Get(TargetArgument);
        var result = pool.Mount(target, context.Get(AtOption));
        if (context.Json)
        {
            // The mount point this mount made or found, whichever one the listing would show.
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => Mutation.Image(writer, ImageRow.Of(pool, target) with { MountPoint = result.Value }));
            return ExitCodes.Success;
        }

        context.Reporter.Done(result.Outcome == Outcome.Created ? $"mounted {target} at {result.Value}" : $"{target} is already mounted at {result.Value}");
        return ExitCodes.Success;
    }
}
