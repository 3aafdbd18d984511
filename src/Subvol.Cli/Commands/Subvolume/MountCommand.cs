using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Subvolume;

internal static class MountCommand
{
    private static readonly Argument<string> TargetArgument = new("NAME[@SNAPSHOT]") { Description = "A subvolume (mounted read-write) or a snapshot (mounted read-only)" };
    private static readonly Option<string?> AtOption = new("--at") { Description = "Where to mount it (default: POOL/mounts/NAME)", HelpName = "DIR" };

    private static readonly KeyOptions Key = new("", "unlocks an encrypted subvolume or snapshot");

    public static Command Create()
    {
        var command = new Command("mount", "Mount a subvolume, or a snapshot read-only to browse it") { TargetArgument, AtOption };
        Key.AddTo(command);
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var target = context.Get(TargetArgument);
        using var key = ReadKey(context, pool, target);
        var result = pool.Mount(target, context.Get(AtOption), key);
        if (context.Json)
        {
            // The mount point this mount made or found, whichever one the listing would show.
            Mutation.Write(context.Reporter, Mutation.Changed(result.Outcome), writer => Mutation.Image(writer, ImageRow.Of(pool, target) with { MountPoint = result.Value }));
            return ExitCodes.Success;
        }

        context.Reporter.Done(result.Outcome == Outcome.Created ? $"mounted {target} at {result.Value}" : $"{target} is already mounted at {result.Value}");
        return ExitCodes.Success;
    }

    /// <summary>
    /// The key an encrypted target is mounted with: the one the options give, else the pool's key file, else a
    /// passphrase asked on the terminal; none for a target that is not encrypted (the engine says so if one was given).
    /// </summary>
    internal static Encryption.KeyMaterial? ReadKey(CommandContext context, Subvol.Pool pool, string target, KeyOptions? options = null)
    {
        options ??= Key;
        if (options.Read(context, confirm: false) is { } given)
        {
            return given;
        }

        if (!pool.IsEncrypted(target))
        {
            return null;
        }

        if (pool.KeyFile is { } keyFile)
        {
            return Encryption.KeyMaterial.FromKeyFile(keyFile);
        }

        return Console.IsInputRedirected ? null : options.Prompt(confirm: false);
    }
}
