using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Subvolume;

internal static class ResizeCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "The subvolume" };
    private static readonly Argument<string> SizeArgument = new("SIZE") { Description = "Its new size, e.g. 20G" };

    public static Command Create()
    {
        var command = new Command("resize", "Grow a subvolume (online if mounted), or shrink an unmounted ext4 one") { NameArgument, SizeArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        // The subvolume's filesystem is not known before the pool is open; no filesystem holds less than ext4's minimum.
        var size = ByteSize.Parse(context.Get(SizeArgument), "size", FileSystemKind.MinimumSize(FileSystemKind.Ext4), "a subvolume");
        using var pool = context.OpenPool();
        var name = context.Get(NameArgument);
        var result = context.Reporter.Progress("resizing", () => pool.ResizeSubvolume(name, size));
        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => Mutation.Image(writer, ImageRow.From(result.Value)));
            return ExitCodes.Success;
        }

        context.Reporter.Done(result.Outcome == Outcome.Changed
            ? $"resized {name} to {ByteSize.Format(result.Value.Size)}"
            : $"{name} is already {ByteSize.Format(result.Value.Size)}");
        return ExitCodes.Success;
    }
}
