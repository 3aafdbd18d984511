using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Stream;

namespace Subvol.Cli.Commands.Stream;

internal static class StreamDumpCommand
{
    private static readonly Argument<string?> FileArgument = new("FILE") { Description = "The stream (default: standard input)", Arity = ArgumentArity.ZeroOrOne };

    public static Command Create()
    {
        var command = new Command("dump", "Verify a stream and print its header and records, as text or --json") { FileArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var path = context.Get(FileArgument);
        using var input = path is null
            ? new BufferedStream(Console.OpenStandardInput(), 1 << 20)
            : StreamFiles.OpenRead(path);
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

        return ExitCodes.Success;
    }
}
