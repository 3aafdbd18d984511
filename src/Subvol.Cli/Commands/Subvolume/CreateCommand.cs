using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Subvolume;

internal static class CreateCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "The new subvolume's name" };
    private static readonly Option<string> SizeOption = new("--size", "-s") { Description = "Its size, e.g. 10G", HelpName = "SIZE", Required = true };
    private static readonly Option<string> FileSystemOption = new("--fs")
    {
        Description = "The filesystem inside it",
        DefaultValueFactory = _ => FileSystemKind.Xfs,
        HelpName = "xfs|ext4",
    };

    public static Command Create()
    {
        FileSystemOption.AcceptOnlyFromAmong(FileSystemKind.Xfs, FileSystemKind.Ext4);
        var command = new Command("create", "Create a subvolume: a sparse image with a filesystem of its own") { NameArgument, SizeOption, FileSystemOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var size = ByteSize.Parse(context.Get(SizeOption), "size");
        using var pool = context.OpenPool();
        var result = context.Reporter.Progress("creating subvolume", () => pool.CreateSubvolume(context.Get(NameArgument), size, context.Get(FileSystemOption)));
        var subvolume = result.Value;
        context.Reporter.Done(result.Outcome == Outcome.Created
            ? $"created subvolume {subvolume.Name} ({ByteSize.Format(subvolume.Size)}, {subvolume.FileSystem})"
            : $"subvolume {subvolume.Name} already exists ({ByteSize.Format(subvolume.Size)}, {subvolume.FileSystem})");
        return ExitCodes.Success;
    }
}
