using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;
using Subvol.Policies;

namespace Subvol.Cli.Commands.Policy;

/// <summary>subvol policy check: validates the policy file and prints the plan it implies for the pools as they are.</summary>
internal static class PolicyCheckCommand
{
    private static readonly Option<string?> ConfigOption = PolicyFileOption.Create();

    public static Command Create()
    {
        var command = new Command("check", "Validate the policy file and print what it would do: each policy's pool, subvolumes, snapshots, retention, targets and hooks")
        {
            ConfigOption,
        };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var file = PolicyFile.Load(PolicyFile.Locate(context.Get(ConfigOption)));
        var plan = PolicyPlan.Build(file, context.PoolPath, pool => ListSubvolumes(context, pool));
        if (context.Json)
        {
            context.Reporter.WriteJson(writer => WriteJson(writer, plan));
        }
        else
        {
            context.Reporter.Done(Text(plan));
        }

        return ExitCodes.Success;
    }

    private static IReadOnlyList<string> ListSubvolumes(CommandContext context, string path)
    {
        using var pool = Subvol.Pool.Open(path, context.Registry);
        return pool.ListSubvolumes().Select(subvolume => subvolume.Name).ToList();
    }

    private static string Text(PolicyPlan plan)
    {
        var count = plan.Policies.Count;
        var lines = new List<string> { $"policy file {plan.File.Path} is valid: {count} {(count == 1 ? "policy" : "policies")}" };
        foreach (var planned in plan.Policies)
        {
            var policy = planned.Policy;
            lines.Add("");
            lines.Add($"[{policy.Section}] line {policy.Line}");
            lines.Add(Field("pool", PoolText(planned)));
            lines.Add(Field("subvolumes", planned.PoolProblem is not null ? "-" : planned.Subvolumes.Count == 0 ? "none match now" : string.Join(", ", planned.Subvolumes)));
            foreach (var shadowed in planned.Shadowed)
            {
                lines.Add(Field("shadowed", $"{shadowed.Subvolume} follows [{shadowed.GovernedBy.Section}] line {shadowed.GovernedBy.Line}, the first policy that matches it"));
            }

            lines.Add(Field("snapshots", SnapshotsText(policy)));
            lines.Add(Field("keep", policy.Retention.ToString()));
            lines.Add(Field("prune", policy.Prune ? "yes" : "no"));
            if (policy.Targets.Count == 0)
            {
                lines.Add(Field("targets", "none"));
            }

            foreach (var target in policy.Targets)
            {
                var retention = target.OwnRetention ? target.Retention.ToString() : $"{target.Retention} (as the source)";
                lines.Add(Field("target", $"{target.Address} (line {target.Line}) keep {retention}"));
            }

            lines.Add(Field("hooks", HooksText(policy.Hooks)));
            lines.Add(Field("prune_unreplicated", policy.PruneUnreplicated ? "yes" : "no"));
        }

        return string.Join(Environment.NewLine, lines);
    }

    private static string Field(string name, string value) => $"  {name,-19} {value}";

    private static string PoolText(PlannedPolicy planned)
    {
        var which = planned.Policy.PoolPath is null ? " (the default pool)" : "";
        if (planned.PoolProblem is { } problem)
        {
            var why = problem.Remedy is null ? problem.Message : $"{problem.Message}; {RemedyWording.For(problem.Remedy)}";
            return planned.Pool is null ? $"the default pool, which cannot be chosen: {why}" : $"{planned.Pool}{which}, which cannot be read: {why}";
        }

        return $"{planned.Pool}{which}";
    }

    private static string SnapshotsText(Subvol.Policies.Policy policy)
    {
        if (!policy.TakeSnapshots)
        {
            return "no (autosnap = no)";
        }

        var finest = policy.Retention.Finest!.Value;
        var period = finest == Interval.Frequent ? $", every {policy.Retention.FrequentPeriod.TotalMinutes.ToString(CultureInfo.InvariantCulture)} minutes" : "";
        return $"{IntervalNames.Label(finest)}{period}";
    }

    private static string HooksText(PolicyHooks hooks)
    {
        if (hooks.BeforeSnapshot is null && hooks.AfterSnapshot is null)
        {
            return "none";
        }

        var parts = new List<string>();
        if (hooks.BeforeSnapshot is { } before)
        {
            parts.Add($"before: {before}");
        }

        if (hooks.AfterSnapshot is { } after)
        {
            parts.Add($"after: {after}");
        }

        parts.Add($"timeout {hooks.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)}s");
        return string.Join("; ", parts);
    }

    private static void WriteJson(Utf8JsonWriter writer, PolicyPlan plan)
    {
        writer.WriteStartObject();
        writer.WriteString("path", plan.File.Path);
        writer.WriteBoolean("valid", true);
        writer.WriteStartArray("policies");
        foreach (var planned in plan.Policies)
        {
            var policy = planned.Policy;
            writer.WriteStartObject();
            writer.WriteString("section", policy.Section);
            writer.WriteNumber("line", policy.Line);
            writer.WriteString("pool", planned.Pool);
            writer.WriteBoolean("default_pool", policy.PoolPath is null);
            if (planned.PoolProblem is { } problem)
            {
                writer.WriteString("pool_error", problem.Remedy is null ? problem.Message : $"{problem.Message}; {RemedyWording.For(problem.Remedy)}");
            }
            else
            {
                writer.WriteNull("pool_error");
            }

            writer.WriteString("pattern", policy.SubvolumePattern);
            writer.WriteStartArray("subvolumes");
            foreach (var subvolume in planned.Subvolumes)
            {
                writer.WriteStringValue(subvolume);
            }

            writer.WriteEndArray();
            writer.WriteStartArray("shadowed");
            foreach (var shadowed in planned.Shadowed)
            {
                writer.WriteStartObject();
                writer.WriteString("subvolume", shadowed.Subvolume);
                writer.WriteString("governed_by", shadowed.GovernedBy.Section);
                writer.WriteNumber("governed_by_line", shadowed.GovernedBy.Line);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteBoolean("takes_snapshots", policy.TakeSnapshots);
            if (policy.Retention.Finest is { } finest)
            {
                writer.WriteString("finest_interval", IntervalNames.Label(finest));
            }
            else
            {
                writer.WriteNull("finest_interval");
            }

            writer.WriteNumber("frequent_period_minutes", (long)policy.Retention.FrequentPeriod.TotalMinutes);
            writer.WriteString("keep", policy.Retention.CountsText);
            writer.WriteString("keep_min", policy.Retention.MinimumText);
            writer.WriteBoolean("prune", policy.Prune);
            writer.WriteStartArray("targets");
            foreach (var target in policy.Targets)
            {
                writer.WriteStartObject();
                writer.WriteString("address", target.Address);
                writer.WriteNumber("line", target.Line);
                writer.WriteString("keep", target.Retention.CountsText);
                writer.WriteString("keep_min", target.Retention.MinimumText);
                writer.WriteBoolean("own_retention", target.OwnRetention);
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteStartObject("hooks");
            writer.WriteString("pre_snapshot", policy.Hooks.BeforeSnapshot);
            writer.WriteString("post_snapshot", policy.Hooks.AfterSnapshot);
            writer.WriteNumber("timeout_seconds", (long)policy.Hooks.Timeout.TotalSeconds);
            writer.WriteEndObject();
            writer.WriteBoolean("prune_unreplicated", policy.PruneUnreplicated);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
