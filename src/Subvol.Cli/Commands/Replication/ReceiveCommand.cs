using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;
using Subvol.Stream;
using Subvol.Stream.Age;

namespace Subvol.Cli.Commands.Replication;

internal static class ReceiveCommand
{
    private static readonly Argument<string> NameArgument = new("NAME") { Description = "The subvolume that receives the snapshot and moves to it (created by a full stream)" };
    private static readonly Option<bool> ForceOption = new("--force") { Description = "Discard writes made to NAME since its last snapshot" };
    private static readonly Option<string?> InputOption = new("--input", "-f") { Description = "Read the stream from FILE instead of standard input", HelpName = "FILE" };
    private static readonly Option<bool> ResumeTokenOption = new("--resume-token") { Description = "Print the token that resumes an interrupted receive into NAME" };
    private static readonly Option<bool> AbortOption = new("--abort") { Description = "Discard an interrupted receive into NAME" };
    private static readonly Option<string?> IdentityOption = new("--identity") { Description = "Decrypt an age-encrypted stream with the age identity file FILE (AGE-SECRET-KEY-1…, mode 0600)", HelpName = "FILE" };
    private static readonly Option<bool> VerboseOption = new("--verbose", "-v") { Description = "Draw a progress bar on standard error when it is a terminal (always drawn when reading a file with -f; in 'send | receive' the sender draws it)" };

    public static Command Create()
    {
        var command = new Command("receive", "Read a replication stream, publish it as NAME@SNAPSHOT and move NAME to it") { NameArgument, InputOption, IdentityOption, ForceOption, ResumeTokenOption, AbortOption, VerboseOption };
        command.Aliases.Add("recv");
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var name = context.Get(NameArgument);
        using var pool = context.OpenPool();
        if (context.Get(ResumeTokenOption))
        {
            var token = pool.ResumeTokenFor(name);
            if (context.Json)
            {
                context.Reporter.WriteJson(writer =>
                {
                    writer.WriteStartObject();
                    writer.WriteString("resume_token", token);
                    writer.WriteEndObject();
                });
                return ExitCodes.Success;
            }

            context.Reporter.Done(token);
            return ExitCodes.Success;
        }

        if (context.Get(AbortOption))
        {
            var outcome = pool.AbortReceive(name);
            if (context.Json)
            {
                Mutation.Write(context.Reporter, Mutation.Changed(outcome), _ => { });
                return ExitCodes.Success;
            }

            context.Reporter.Done(outcome == Outcome.Deleted ? $"discarded the interrupted receive into {name}" : $"there was no interrupted receive into {name}");
            return ExitCodes.Success;
        }

        var inputPath = context.Get(InputOption);
        if (inputPath is null && !Console.IsInputRedirected)
        {
            throw new SubvolException(SubvolErrorCode.InvalidArgument, "standard input is a terminal") { Remedy = new Remedy.Advice("pipe a stream in (subvol send … | subvol receive NAME) or use -f FILE") };
        }

        using var input = AgeInput.Open(inputPath is null ? StreamFiles.OpenStandardInput() : StreamFiles.OpenRead(inputPath), context.Get(IdentityOption), out _);
        // In 'send | receive' on one terminal the sender draws the bar; two bars would redraw over each other.
        var show = inputPath is not null || context.Get(VerboseOption);
        var result = context.Reporter.Transfer("receiving", show, progress => pool.Receive(name, input, progress, context.Get(ForceOption), Interruption.Token));

        if (context.Json)
        {
            Mutation.Write(context.Reporter, changed: true, writer =>
            {
                Mutation.Image(writer, ImageRow.From(result.Snapshot));
                Mutation.Image(writer, ImageRow.From(pool.GetSubvolume(name)));
                writer.WriteBoolean("created_subvolume", result.CreatedSubvolume);
                writer.WriteNumber("data_bytes", result.DataBytes);
                writer.WriteBoolean("resumed", result.Resumed);
            });
            return ExitCodes.Success;
        }

        context.Reporter.Done($"received {result.Snapshot.FullName} ({ByteSize.Format(result.DataBytes)} of data{(result.Resumed ? ", resumed" : "")})");
        return ExitCodes.Success;
    }
}
