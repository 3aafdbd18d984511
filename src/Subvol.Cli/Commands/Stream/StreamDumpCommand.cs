using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Stream;

namespace Subvol.Cli.Commands.Stream;

internal static class StreamDumpCommand
{
    private static readonly Argument<string?> FileArgument = new("FILE") { Description = "The stream (default: standard input)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> IdentityOption = new("--identity") { Description = "Decrypt an age-encrypted stream with the age identity file FILE (AGE-SECRET-KEY-1…, mode 0600)", HelpName = "FILE" };

    public static Command Create()
    {
        var command = new Command("dump", "Verify a stream and print its header and records, as text or --json") { FileArgument, IdentityOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var path = context.Get(FileArgument);
        if (path is null && !Console.IsInputRedirected)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, "standard input is a terminal") { Remedy = new Remedy.Advice("pipe a stream in (subvol send … | subvol stream dump) or name a FILE") };
        }

        var raw = path is null
            ? StreamFiles.OpenStandardInput()
            : StreamFiles.OpenRead(path);
        using var input = AgeInput.Open(raw, context.Get(IdentityOption), out var decrypting);
        try
        {
            using var reader = new ReplicationStreamReader(input);
            reader.ReadHeader();
            reader.ReadRecords(new DumpSink(Console.Out, context.Json));
        }
        catch (StreamFormatException exception)
        {
            throw new SubvolException(SubvolErrorCode.StreamCorrupt, $"the stream was refused: {exception.Message}", exception);
        }
        catch (Exception) when (decrypting?.Failure is { } failure)
        {
            throw EncryptedStreamRefusal.Of(failure, EncryptedStreamRefusal.Outcome.Dumped);
        }

        return ExitCodes.Success;
    }
}
