using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;
using Subvol.Stream;
using Subvol.Stream.Age;

namespace Subvol.Cli.Commands.Replication;

internal static class SendCommand
{
    private static readonly Argument<string?> SnapshotArgument = new("NAME@SNAPSHOT") { Description = "The snapshot to send", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<string?> FromOption = new("--from", "-i") { Description = "Send only what changed since this earlier snapshot (NAME@BASE or BASE)", HelpName = "BASE" };
    private static readonly Option<string> CompressOption = new("--compress") { Description = "Compress data records", DefaultValueFactory = _ => "none", HelpName = "none|zstd" };
    private static readonly Option<string?> OutputOption = new("--output", "-o") { Description = "Write the stream to FILE instead of standard output", HelpName = "FILE" };
    private static readonly Option<string?> ResumeOption = new("--resume") { Description = "Continue an interrupted transfer from the receiver's token", HelpName = "TOKEN" };
    private static readonly Option<string[]> EncryptToOption = new("--encrypt-to") { Description = "Encrypt the stream with age to RECIPIENT (age1…, as age-keygen prints it); repeat it for more recipients", HelpName = "RECIPIENT" };
    private static readonly Option<string[]> EncryptToFileOption = new("--encrypt-to-file") { Description = "Encrypt the stream with age to every recipient in FILE (one age1… per line, # comments)", HelpName = "FILE" };
    private static readonly Option<bool> VerboseOption = new("--verbose", "-v") { Description = "Say what was sent, on standard error" };

    public static Command Create()
    {
        CompressOption.AcceptOnlyFromAmong("none", "zstd");
        var command = new Command("send", "Write a replication stream of a snapshot (full, or incremental with --from)")
        {
            SnapshotArgument, FromOption, CompressOption, OutputOption, ResumeOption, EncryptToOption, EncryptToFileOption, VerboseOption,
        };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var outputPath = context.Get(OutputOption);
        if (outputPath is null && !Console.IsOutputRedirected)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, "refusing to write a binary stream to a terminal")
            {
                Remedy = new Remedy.Advice("pipe it (subvol send … | subvol receive …) or use -o FILE"),
            };
        }

        if (outputPath is null && context.Json)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, "--json needs -o FILE, since the stream goes to standard output")
            {
                Remedy = new Remedy.Advice("write the stream with -o FILE, or leave out --json and use -v for a summary on standard error"),
            };
        }

        var compression = context.Get(CompressOption) == "zstd" ? StreamCompression.Zstd : StreamCompression.None;
        var token = context.Get(ResumeOption);
        var target = context.Get(SnapshotArgument);
        if (token is null && target is null)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, "name the snapshot to send (NAME@SNAPSHOT), or give --resume TOKEN");
        }

        var recipients = AgeKeys.Recipients(context.Get(EncryptToOption) ?? [], context.Get(EncryptToFileOption) ?? []);
        using var pool = context.OpenPool();
        using var outputFile = outputPath is null ? null : StreamFiles.Create(outputPath);
        using var output = outputFile?.Stream ?? StreamFiles.OpenStandardOutput();
        using var encrypting = recipients.Count > 0 ? new AgeEncryptingStream(output, recipients) : null;
        var stream = (System.IO.Stream?)encrypting ?? output;
        var result = context.Reporter.Transfer("sending", progress =>
        {
            if (token is not null)
            {
                return pool.ResumeSend(token, stream, compression, progress, Interruption.Token);
            }

            var reference = SnapshotReference.Parse(target!);
            var from = context.Get(FromOption) is { } baseText
                ? SnapshotReference.Parse(baseText.Contains('@') ? baseText : $"{reference.Subvolume}@{baseText}")
                : (SnapshotReference?)null;
            return pool.Send(reference, from, stream, compression, progress, Interruption.Token);
        });
        // Only a send that finished seals the last chunk; a failed one leaves an age file every reader refuses as cut short.
        encrypting?.Complete();
        outputFile?.Commit();
        if (context.Json)
        {
            context.Reporter.WriteJson(writer =>
            {
                writer.WriteStartObject();
                if (target is not null && token is null)
                {
                    Mutation.Image(writer, ImageRow.From(pool.GetSnapshot(SnapshotReference.Parse(target))));
                }

                writer.WriteString("output", outputPath);
                writer.WriteNumber("data_bytes", result.DataBytes);
                writer.WriteNumber("hole_bytes", result.HoleBytes);
                writer.WriteNumber("stream_bytes", result.StreamBytes);
                writer.WriteString("digest", result.Digest);
                writer.WriteEndObject();
            });
        }

        if (context.Get(VerboseOption))
        {
            context.Reporter.Note($"sent {ByteSize.Format(result.DataBytes)} of data and {ByteSize.Format(result.HoleBytes)} of holes in a {ByteSize.Format(result.StreamBytes)} stream (digest {result.Digest})");
        }

        return ExitCodes.Success;
    }
}
