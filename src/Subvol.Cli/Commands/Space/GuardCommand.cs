using System.CommandLine;
using System.Globalization;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

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
        var paths = context.Get(AllOption) ? context.Registry.Imported().Select(pool => pool.Path).ToList() : [context.PoolPath()];
        var pools = paths.Select(path => Subvol.Pool.Open(path, context.Registry)).ToList();
        try
        {
            do
            {
                foreach (var pool in pools)
                {
                    foreach (var action in pool.GuardOnce(thresholds, canHoldFreezes: !once))
                    {
                        done.Add((pool.Path, action));
                        // One line per action, on standard error, which is where the service's journal looks.
                        context.Reporter.Note(string.Create(CultureInfo.InvariantCulture,
                            $"{DateTimeOffset.UtcNow:yyyy-MM-ddTHH:mm:ssZ} pool {pool.Path}: {action.Action} {action.Subvolume} at {action.MountPoint}: {action.Reason}"));
                    }
                }
            }
            while (!once && !Interruption.Requested && !Interruption.Wait(interval));
        }
        finally
        {
            foreach (var pool in pools)
            {
                pool.Dispose();
            }
        }

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
            });
        }

        return ExitCodes.Success;
    }
}
