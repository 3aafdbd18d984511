using System.CommandLine;
using Subvol.Cli.CommandLine;
using Subvol.Cli.Output;

namespace Subvol.Cli.Commands.Check;

internal static class CheckCommand
{
    private static readonly Argument<string?> PathArgument = new("PATH") { Description = "The pool's directory (default: the chosen pool)", Arity = ArgumentArity.ZeroOrOne };
    private static readonly Option<bool> RepairOption = new("--repair")
    {
        Description = "Fix what has a safe fix: finish interrupted renames, remove leftovers, thaw, detach, rewrite identities, rebuild a damaged pool.db from the images",
    };

    public static Command Create()
    {
        var command = new Command("check", "Compare the pool's metadata with its files and the kernel") { PathArgument, RepairOption };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        var path = context.PoolPath(context.Get(PathArgument));
        var report = Subvol.Pool.Check(path, context.Get(RepairOption), context.OpenPool);
        if (context.Json)
        {
            context.Reporter.WriteJson(report, CliJsonContext.Default.CheckReport);
        }
        else if (report.Findings.Count == 0)
        {
            context.Reporter.Done($"pool {path} is consistent");
        }
        else
        {
            foreach (var finding in report.Findings)
            {
                var state = finding.Repaired ? "repaired"
                    : finding.Kind == FindingKind.PartialReceive ? "resumable"
                    : finding.Kind == FindingKind.ForeignFile ? "foreign"
                    : finding.Kind == FindingKind.Shortfall ? "shortfall"
                    : finding.Repairable ? "repairable" : "needs you";
                context.Reporter.Done(finding.Remedy is null ? $"{state}: {finding.Message}" : $"{state}: {finding.Message}; {RemedyWording.For(finding.Remedy)}");
            }
        }

        return report.Consistent ? ExitCodes.Success : ExitCodes.Inconsistent;
    }
}
