using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;
using Subvol.Stream;

namespace Subvol.Cli.Commands.Replication;

internal static class ReplicateCommand
{
    /// <summary>Lets tests and unusual set-ups choose the ssh program (for example a wrapper with options).</summary>
    public const string SshVariable = "SUBVOL_SSH";

    private static readonly Argument<string> NameArgument = new("NAME") { Description = "The subvolume to replicate" };
    private static readonly Argument<string> DestinationArgument = new("DEST") { Description = "Another pool's path, or ssh://[user@]host[:port]/POOL" };
    private static readonly Option<bool> NoSnapshotOption = new("--no-snapshot") { Description = "Send the newest existing snapshot instead of taking a new one" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Let the destination discard writes made to its copy of NAME since its last snapshot" };
    private static readonly Option<string> CompressOption = new("--compress") { Description = "Compress data records", DefaultValueFactory = _ => "none", HelpName = "none|zstd" };

    public static Command Create()
    {
        CompressOption.AcceptOnlyFromAmong("none", "zstd");
        var command = new Command("replicate", "Snapshot a subvolume and bring it to another pool incrementally, resuming an interrupted transfer")
        {
            NameArgument, DestinationArgument, NoSnapshotOption, CompressOption, ForceOption,
        };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var options = new ReplicateOptions(
            TakeSnapshot: !context.Get(NoSnapshotOption),
            Compression: context.Get(CompressOption) == "zstd" ? StreamCompression.Zstd : StreamCompression.None,
            SshProgram: Environment.GetEnvironmentVariable(SshVariable) is { Length: > 0 } ssh ? ssh : "ssh",
            Force: context.Get(ForceOption));
        using var pool = context.OpenPool();
        var result = context.Reporter.Transfer("replicating", progress => pool.Replicate(context.Get(NameArgument), context.Get(DestinationArgument), options, progress));
        if (context.Json)
        {
            // Replicate brings the newest snapshot across, whether it took it now or found it; that is the one a script reads back.
            var sent = pool.FindSnapshots(context.Get(NameArgument)).LastOrDefault();
            context.Reporter.WriteJson(writer =>
            {
                writer.WriteStartObject();
                if (sent is not null)
                {
                    Mutation.Image(writer, ImageRow.From(sent));
                }

                writer.WriteString("destination", context.Get(DestinationArgument));
                writer.WriteNumber("data_bytes", result.DataBytes);
                writer.WriteStartArray("steps");
                foreach (var step in result.Steps)
                {
                    writer.WriteStringValue(step);
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        foreach (var step in result.Steps)
        {
            context.Reporter.Done(step);
        }

        return ExitCodes.Success;
    }
}
