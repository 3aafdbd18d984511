using System.CommandLine;
using Subvol.Cli.Output;
using Subvol.Linux;

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
        catch (SubvolException exception)
        {
            reporter.Error(exception.Message);
            return ExitCodes.For(exception.Code);
        }
        catch (ExternalToolException exception)
        {
            reporter.Error(exception.Message);
            return ExitCodes.Failure;
        }
        catch (UnauthorizedAccessException exception)
        {
            reporter.Error($"{exception.Message}; subvol needs root for loop devices, mounts and freezing");
            return ExitCodes.Failure;
        }
        catch (IOException exception)
        {
            // The Linux layer's SystemCallException and .NET's own I/O errors on Linux both carry the errno as HResult.
            reporter.Error(exception.HResult == Errno.ENOSPC
                ? $"{exception.Message}; the host filesystem is full: free space in the pool, for example by destroying old snapshots"
                : exception.Message);
            return exception.HResult switch
            {
                Errno.ENOSPC => ExitCodes.NoSpace,
                Errno.EBUSY => ExitCodes.Busy,
                Errno.ENOENT => ExitCodes.NotFound,
                _ => ExitCodes.Failure,
            };
        }
    }
}
