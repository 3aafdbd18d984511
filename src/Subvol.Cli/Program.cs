using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Commands.Check;
using Subvol.Cli.Commands.Completion;
using Subvol.Cli.Commands.Key;
using Subvol.Cli.Commands.Policy;
using Subvol.Cli.Commands.Pool;
using Subvol.Cli.Commands.Replication;
using Subvol.Cli.Commands.Stream;
using Subvol.Cli.Commands.Snapshot;
using Subvol.Cli.Commands.Space;
using Subvol.Cli.Commands.Subvolume;

var root = new RootCommand("Subvol: subvolumes, snapshots and replication for XFS")
{
    GlobalOptions.Pool,
    GlobalOptions.Json,
    PoolCommand.Create(),
    CreateCommand.Create(),
    ListCommand.Create(),
    MountCommand.Create(),
    UnmountCommand.Create(),
    KeyCommand.Create(),
    ResizeCommand.Create(),
    SetCommand.Create(),
    RenameCommand.Create(),
    DeleteCommand.Create(),
    SnapshotCommand.Create(),
    DestroyCommand.Create(),
    CloneCommand.Create(),
    RollbackCommand.Create(),
    SendCommand.Create(),
    ReceiveCommand.Create(),
    ReplicateCommand.Create(),
    StreamCommand.Create(),
    DfCommand.Create(),
    TrimCommand.Create(),
    MetricsCommand.Create(),
    GuardCommand.Create(),
    CheckCommand.Create(),
    PolicyCommand.Create(),
    AutoCommand.Create(),
    CompletionCommand.Create(),
};

Subvol.Cli.Output.StandardOutput.Install();
var registrations = Interruption.Register();
try
{
    // Response files are off: "subvol snapshot @x" names a snapshot, and no argument is ever read as a file of arguments.
    var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
    if (parseResult.Errors.Count > 0 && parseResult.Action is not System.CommandLine.Help.HelpAction)
    {
        // An unknown word also makes "a command is required" true; the unknown word is the one worth saying.
        var errors = parseResult.UnmatchedTokens.Count > 0
            ? parseResult.Errors.Where(error => error.Message.Contains("Unrecognized", StringComparison.Ordinal)).DefaultIfEmpty(parseResult.Errors[0])
            : parseResult.Errors;
        foreach (var error in errors)
        {
            Console.Error.WriteLine($"subvol: error: {OneLine(error.Message)}");
        }

        Console.Error.WriteLine("Try 'subvol --help' for usage.");
        return ExitCodes.Usage;
    }

    if (UnknownOption(parseResult, args) is { } unknown)
    {
        Console.Error.WriteLine($"subvol: error: unknown option {Printable.Quote(unknown)}; a name or path that starts with '-' goes after '--'");
        Console.Error.WriteLine("Try 'subvol --help' for usage.");
        return ExitCodes.Usage;
    }

    return parseResult.Invoke();
}
catch (Exception exception)
{
    // Verbs catch their own failures; this is for anything outside them (help, suggestions, signals).
    return CommandRunner.Fail(exception, new Subvol.Cli.Output.Reporter(Console.Out, Console.Error, json: false));
}
finally
{
    foreach (var registration in registrations)
    {
        registration.Dispose();
    }
}

// System.CommandLine takes a word that looks like an option but is none as a verb's path or name
// ("pool export --bogus"); refuse it as unknown unless it follows "--". "-" (standard input) and
// negative numbers ("-5G", which the size rules refuse on their own) are not option-like.
static string? UnknownOption(ParseResult parseResult, string[] args)
{
    var separator = Array.IndexOf(args, "--");
    var literal = separator < 0 ? [] : args[(separator + 1)..];
    return parseResult.CommandResult.Children.OfType<System.CommandLine.Parsing.ArgumentResult>()
        .SelectMany(result => result.Tokens)
        .Select(token => token.Value)
        .FirstOrDefault(value => value.Length > 1 && value[0] == '-' && !char.IsAsciiDigit(value[1]) && !literal.Contains(value));
}

// System.CommandLine lists allowed values on lines of their own; an error is one line.
static string OneLine(string message)
{
    var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
    return lines.Length <= 1 ? message : $"{lines[0]} {string.Join(", ", lines[1..])}";
}
