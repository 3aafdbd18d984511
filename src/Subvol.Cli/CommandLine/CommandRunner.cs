using System.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.CommandLine;

/// <summary>Runs a verb's behaviour and turns every failure into one line on standard error and a documented exit code.</summary>
internal static class CommandRunner
{
    public static void SetBehaviour(this Command command, Func<CommandContext, int> behaviour) =>
        command.SetAction(parseResult => Run(parseResult, behaviour));

    private static int Run(ParseResult parseResult, Func<CommandContext, int> behaviour)
    {
        var reporter = new Reporter(Console.Out, Console.Error, parseResult.GetValue(GlobalOptions.Json));
        try
        {
            var exitCode = behaviour(new CommandContext(parseResult, reporter));
            return Interruption.Requested ? ExitCodes.Interrupted : exitCode;
        }
        catch (Exception exception)
        {
            return Fail(exception, reporter);
        }
    }

    /// <summary>The engine's one conversion, rendered: whatever was thrown, the user reads one line with what to do.</summary>
    public static int Fail(Exception exception, Reporter reporter)
    {
        var error = ErrorTranslation.Translate(exception);
        reporter.Error(error.Remedy is null ? error.Message : $"{error.Message}; {RemedyWording.For(error.Remedy)}");
        return ExitCodes.For(error.Code);
    }
}
