using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Commands.Replication;
using Subvol.Cli.Output;
using Subvol.Policies;
using Subvol.Stream;

namespace Subvol.Cli.Commands.Policy;

/// <summary>'subvol auto': the work the policy file says is due, as a timer runs it; 'subvol auto status': where each subvolume stands.</summary>
internal static class AutoCommand
{
    private static readonly Option<string?> ConfigOption = new("--config") { Description = $"The policy file (default: $SUBVOL_CONFIG, else {PolicyFile.DefaultPath})", HelpName = "FILE" };
    private static readonly Option<bool> DryRunOption = new("--dry-run", "-n") { Description = "Print what is due without doing it (targets are still asked what they hold)" };
    private static readonly Option<string?> StatusConfigOption = new("--config") { Description = $"The policy file (default: $SUBVOL_CONFIG, else {PolicyFile.DefaultPath})", HelpName = "FILE" };
    private static readonly ListingOptions<AutomaticRows.StatusRow> StatusListing = new(AutomaticRows.Status);

    public static Command Create()
    {
        var status = new Command("status", "Show, for each subvolume a policy covers, its last and next snapshot, what is kept, and how far each target is behind")
        {
            StatusConfigOption,
        };
        StatusListing.AddTo(status);
        status.SetBehaviour(Status);

        var command = new Command("auto", "Take the snapshots that are due, replicate them to every target, and prune, as the policy file says")
        {
            ConfigOption, DryRunOption, status,
        };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var policies = PolicyFile.Load(PolicyFile.Locate(context.Get(ConfigOption)));
        var dryRun = context.Get(DryRunOption);
        var options = new AutomaticRunOptions(
            dryRun,
            StreamCompression.None,
            Environment.GetEnvironmentVariable(ReplicateCommand.SshVariable) is { Length: > 0 } ssh ? ssh : "ssh");
        // Each step is printed as it is done, so a person watching sees progress and a log keeps what happened before a failure.
        Action<AutomaticAction>? live = context.Json ? null : action =>
        {
            if (action.IsFailure)
            {
                context.Reporter.Warning(AutomaticActionWording.For(action, dryRun));
            }
            else
            {
                context.Reporter.Done(AutomaticActionWording.For(action, dryRun));
            }
        };
        var report = AutomaticRun.Run(policies, DefaultPool(context, policies), options, live, Interruption.Token);
        if (context.Json)
        {
            context.Reporter.WriteJson(writer =>
            {
                writer.WriteStartObject();
                writer.WriteBoolean("dry_run", report.DryRun);
                writer.WriteBoolean("failed", report.Failed);
                AutomaticRows.Actions.WriteArray(writer, "actions", report.Actions);
                writer.WriteEndObject();
            });
        }

        return report.Failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    private static int Status(CommandContext context)
    {
        var view = StatusListing.View(context);
        var policies = PolicyFile.Load(PolicyFile.Locate(context.Get(StatusConfigOption)));
        var statuses = AutomaticStatus.Read(policies, DefaultPool(context, policies), Clock.Now);
        context.Reporter.Listing(statuses.SelectMany(AutomaticRows.StatusRow.Of).ToList(), view);
        return ExitCodes.Success;
    }

    /// <summary>The pool of policies that name none; asked for only when one of them needs it, so a file that names every pool needs no default.</summary>
    private static string? DefaultPool(CommandContext context, PolicyFile policies) =>
        policies.Policies.Any(policy => policy.PoolPath is null) ? context.PoolPath() : null;
}
