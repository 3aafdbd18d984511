using System.CommandLine;

namespace Subvol.Cli.Commands.Stream;

internal static class StreamCommand
{
    public static Command Create() => new("stream", "Inspect replication streams") { StreamDumpCommand.Create() };
}
