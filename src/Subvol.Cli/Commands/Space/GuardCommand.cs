using System.CommandLine;
using System.Globalization;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;
using Subvol.Space;

namespace Subvol.Cli.Commands.Space;

internal static class GuardCommand
{
    private static readonly Option<bool> OnceOption = new("--once") { Description = "Check once and exit, instead of watching" };
    private static readonly Option<bool> AllOption = new("--all") { Description = "Guard every pool this machine has imported" };
    private static readonly Option<int> IntervalOption = new("--interval") { Description = "Seconds between checks", DefaultValueFactory = _ => 5, HelpName = "SECONDS" };
    private static readonly Option<string?> CriticalOption = new("--critical") { Description = "Stop thin subvolumes writing below this much free space (default: the pool's slop)", HelpName = "SIZE" };
    private static readonly Option<string?> ResumeOption = new("--resume") { Description = "Let them write again above this much (default: twice the critical size)", HelpName = "SIZE" };

    public static Command Create()
    {
        var command = new Command("guard", "Remount thin subvolumes read-only before a pool's host fills, and writable again when space returns")
        {
            OnceOption, AllOption, IntervalOption, CriticalOption, ResumeOption,
        };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var thresholds = new GuardThresholds(
            context.Get(CriticalOption) is { } critical ? ByteSize.Parse(critical, "critical size") : null,
            context.Get(ResumeOption) is { } resume ? ByteSize.Parse(resume, "resume size") : null);
        var interval = TimeSpan.FromSeconds(Math.Max(1, context.Get(IntervalOption)));
        var once = context.Get(OnceOption);
        if (context.Json && !once)
        {
            // A watching guard never finishes a document; one pass does.
            throw new SubvolException(SubvolErrorCode.InvalidArgument, "guard --json reports one pass") { Remedy = new Remedy.Advice("add --once") };
        }

        var done = new List<(string Pool, GuardAction Action)>();
        var all = context.Get(AllOption);
        var single = all ? null : context.PoolPath();
        var failing = new Dictionary<string, string>(StringComparer.Ordinal);
        using var pools = new GuardedPools(() => single is not null ? [single] : context.Registry.Imported().Select(pool => pool.Path).ToList(), context.Registry);
        var first = true;
        IReadOnlyList<(string Pool, SubvolException Error)> failed;
        do
        {
            var pass = pools.Pass(thresholds, canHoldFreezes: !once);
            if (first && single is not null && pass.Failures.Count > 0)
            {
                // The one pool asked for cannot be guarded at all: that is the command's error, with its own exit code.
                throw pass.Failures[0].Error;
            }

            first = false;
            foreach (var (path, action) in pass.Actions)
            {
                done.Add((path, action));
                // One line per action, on standard error, which is where the service's journal looks.
                context.Reporter.Note(string.Create(CultureInfo.InvariantCulture,
                    $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} pool {path}: {action.Action} {action.Subvolume} at {action.MountPoint}: {action.Reason}"));
            }

            Report(context, pass, failing);
            failed = pass.Failures;
        }
        while (!once && !Interruption.Requested && !Interruption.Wait(interval));

        if (context.Json)
        {
            Mutation.Write(context.Reporter, done.Count > 0, writer =>
            {
                writer.WriteStartArray("actions");
                foreach (var (path, action) in done)
                {
                    writer.WriteStartObject();
                    writer.WriteString("pool", path);
                    writer.WriteString("subvolume", action.Subvolume);
                    writer.WriteString("mountpoint", action.MountPoint);
                    writer.WriteString("action", action.Action);
                    writer.WriteString("reason", action.Reason);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
                writer.WriteStartArray("failures");
                foreach (var (path, error) in failed)
                {
                    writer.WriteStartObject();
                    writer.WriteString("pool", path);
                    writer.WriteString("error", error.Message);
                    writer.WriteEndObject();
                }

                writer.WriteEndArray();
            });
        }

        return failed.Count > 0 ? ExitCodes.Failure : ExitCodes.Success;
    }

    /// <summary>
    /// Says when a pool cannot be guarded, and when it can again; a watching guard says it once, not at every pass,
    /// so that a pool that stays failed does not flood the journal.
    /// </summary>
    private static void Report(CommandContext context, GuardPass pass, Dictionary<string, string> failing)
    {
        foreach (var (path, error) in pass.Failures)
        {
            var message = error.Remedy is null ? error.Message : $"{error.Message}; {RemedyWording.For(error.Remedy)}";
            if (!failing.TryGetValue(path, out var earlier) || earlier != message)
            {
                context.Reporter.Warning(string.Create(CultureInfo.InvariantCulture,
                    $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} pool {path} cannot be guarded: {message}; the guard tries again at every check and guards the other pools meanwhile"));
                failing[path] = message;
            }
        }

        foreach (var path in failing.Keys.Except(pass.Failures.Select(failure => failure.Pool), StringComparer.Ordinal).ToList())
        {
            // A pool exported meanwhile is no longer asked for: it is let go without a word, not said to be guarded.
            failing.Remove(path);
            if (pass.Guarded.Contains(path, StringComparer.Ordinal))
            {
                context.Reporter.Note(string.Create(CultureInfo.InvariantCulture, $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} pool {path} is guarded again"));
            }
        }
    }
}
