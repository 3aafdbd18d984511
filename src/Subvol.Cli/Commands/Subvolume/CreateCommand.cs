using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

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

    private static readonly Option<string> ProvisioningOption = new("--provisioning")
    {
        Description = "guaranteed: allocated now and always writable to its full size; thin: allocated on write, within the pool's overcommit ratio",
        DefaultValueFactory = _ => ProvisioningNames.Guaranteed,
        HelpName = "guaranteed|thin",
    };

    public static Command Create()
    {
        FileSystemOption.AcceptOnlyFromAmong(FileSystemKind.Xfs, FileSystemKind.Ext4);
        ProvisioningOption.AcceptOnlyFromAmong(ProvisioningNames.Guaranteed, ProvisioningNames.Thin);
        var command = new Command("create", "Create a subvolume: an image with a filesystem of its own") { NameArgument, SizeOption, FileSystemOption, ProvisioningOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var fileSystem = context.Get(FileSystemOption);
        var size = ByteSize.Parse(context.Get(SizeOption), "size", FileSystemKind.MinimumSize(fileSystem), $"an {fileSystem} subvolume");
        using var pool = context.OpenPool();
        var result = context.Reporter.Progress("creating subvolume", () => pool.CreateSubvolume(context.Get(NameArgument), size, fileSystem, ProvisioningNames.Parse(context.Get(ProvisioningOption))));
        var subvolume = result.Value;
        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => Mutation.Image(writer, ImageRow.From(subvolume)));
            return ExitCodes.Success;
        }

        context.Reporter.Done(result.Outcome == Outcome.Created
            ? $"created subvolume {subvolume.Name} ({ByteSize.Format(subvolume.Size)}, {subvolume.FileSystem}, {ProvisioningNames.Format(subvolume.Provisioning)})"
            : $"subvolume {subvolume.Name} already exists ({ByteSize.Format(subvolume.Size)}, {subvolume.FileSystem})");
        return ExitCodes.Success;
    }
}
