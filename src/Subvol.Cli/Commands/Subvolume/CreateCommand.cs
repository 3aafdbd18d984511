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

    private static readonly Option<bool> EncryptOption = new("--encrypt")
    {
        Description = "Encrypt everything written under its mount point (contents and names) with a key of its own (ext4 only); give the key with one of the options below",
    };

    private static readonly KeyOptions Key = new("", "wraps the new subvolume's key");

    public static Command Create()
    {
        FileSystemOption.AcceptOnlyFromAmong(FileSystemKind.Xfs, FileSystemKind.Ext4);
        ProvisioningOption.AcceptOnlyFromAmong(ProvisioningNames.Guaranteed, ProvisioningNames.Thin);
        var command = new Command("create", "Create a subvolume: an image with a filesystem of its own") { NameArgument, SizeOption, FileSystemOption, ProvisioningOption };
        command.Options.Add(EncryptOption);
        Key.AddTo(command);
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var fileSystem = context.Get(FileSystemOption);
        var size = ByteSize.Parse(context.Get(SizeOption), "size", FileSystemKind.MinimumSize(fileSystem), $"an {fileSystem} subvolume");
        var provisioning = ProvisioningNames.Parse(context.Get(ProvisioningOption));
        if (!context.Get(EncryptOption))
        {
            if (Key.Given(context))
            {
                throw new SubvolException(SubvolErrorCode.InvalidArgument, "a key is given only with --encrypt; add --encrypt to make an encrypted subvolume");
            }

            using var plainPool = context.OpenPool();
            return Report(context, context.Reporter.Progress("creating subvolume", () => plainPool.CreateSubvolume(context.Get(NameArgument), size, fileSystem, provisioning)));
        }

        if (fileSystem != FileSystemKind.Ext4)
        {
            throw new SubvolException(SubvolErrorCode.NotSupported, $"--encrypt needs --fs ext4: XFS has no file-based encryption (fscrypt) as of Linux 6.18");
        }

        using var pool = context.OpenPool();
        using var key = Key.Read(context, confirm: true)
            ?? (pool.KeyFile is { } keyFile ? Encryption.KeyMaterial.FromKeyFile(keyFile) : null)
            ?? throw new SubvolException(SubvolErrorCode.InvalidArgument, "--encrypt needs a key: give --key-file FILE, --passphrase-file FILE or --passphrase");
        return Report(context, context.Reporter.Progress("creating encrypted subvolume", () => pool.CreateEncryptedSubvolume(context.Get(NameArgument), size, fileSystem, provisioning, key)));
    }

    private static int Report(CommandContext context, OperationResult<SubvolumeInfo> result)
    {
        var subvolume = result.Value;
        if (context.Json)
        {
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => Mutation.Image(writer, ImageRow.From(subvolume)));
            return ExitCodes.Success;
        }

        context.Reporter.Done(result.Outcome == Outcome.Created
            ? $"created {(subvolume.Encrypted ? "encrypted " : "")}subvolume {subvolume.Name} ({ByteSize.Format(subvolume.Size)}, {subvolume.FileSystem}, {ProvisioningNames.Format(subvolume.Provisioning)})"
            : $"subvolume {subvolume.Name} already exists ({ByteSize.Format(subvolume.Size)}, {subvolume.FileSystem})");
        return ExitCodes.Success;
    }
}
