using System.CommandLine;
using System.Text.Json;
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
        var result = context.Reporter.Transfer("replicating", progress => pool.Replicate(context.Get(NameArgument), context.Get(DestinationArgument), options, progress, Interruption.Token));
        if (context.Json)
        {
            // The snapshot replicate brought across (or found already there) is the one a script reads back.
            var brought = result.Steps.LastOrDefault(step => step.Kind is not (ReplicatedStepKind.TookSnapshot or ReplicatedStepKind.DiscardedStale
                or ReplicatedStepKind.DestroyedHere or ReplicatedStepKind.DestroyedAtDestination));
            var sent = brought is null ? null : pool.FindSnapshots(brought.Subvolume, brought.Snapshot).SingleOrDefault();
            context.Reporter.WriteJson(writer =>
            {
                writer.WriteStartObject();
                if (sent is not null)
                {
                    Mutation.Image(writer, ImageRow.From(sent));
                }

                writer.WriteString("destination", result.Destination);
                writer.WriteBoolean("changed", result.Steps.Any(step => step.Kind != ReplicatedStepKind.UpToDate));
                writer.WriteNumber("data_bytes", result.DataBytes);
                writer.WriteStartArray("steps");
                foreach (var step in result.Steps)
                {
                    writer.WriteStartObject();
                    writer.WriteString("step", JsonNamingPolicy.SnakeCaseLower.ConvertName(step.Kind.ToString()));
                    writer.WriteString("name", $"{step.Subvolume}@{step.Snapshot}");
                    writer.WriteString("base", step.Base);
                    writer.WriteNumber("data_bytes", step.DataBytes);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteEndObject();
            });
            return ExitCodes.Success;
        }

        foreach (var step in result.Steps)
        {
            context.Reporter.Done(ReplicatedStepWording.For(step, result.Destination));
        }

        return ExitCodes.Success;
    }
}
