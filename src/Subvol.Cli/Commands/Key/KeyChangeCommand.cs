using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Commands.Subvolume;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Key;

internal static class KeyChangeCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "An encrypted subvolume; its snapshots change with it" };
    private static readonly KeyOptions Current = new("", "the key it has now");
    private static readonly KeyOptions Next = new("new-", "the key it is to have");

    public static Command Create()
    {
        var command = new Command("change", "Wrap the key of an encrypted subvolume and its snapshots under a new passphrase or key file; no data is re-encrypted") { NameArgument };
        Current.AddTo(command);
        Next.AddTo(command);
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        using var pool = context.OpenPool();
        var name = context.Get(NameArgument);
        using var current = MountCommand.ReadKey(context, pool, name, Current);
        using var next = Next.Read(context, confirm: true)
            ?? throw new SubvolException(SubvolErrorCode.InvalidArgument, "give the new key with --new-key-file FILE, --new-passphrase-file FILE or --new-passphrase");
        pool.ChangeKey(name, current, next);
        if (context.Json)
        {
            Mutation.Write(context.Reporter, changed: true, writer => Mutation.Image(writer, ImageRow.Of(pool, name)));
            return ExitCodes.Success;
        }

        context.Reporter.Done($"changed the key of {name} and its snapshots");
        return ExitCodes.Success;
    }
}
