using System.CommandLine;
using Subvol.Policies;

namespace Subvol.Cli.Commands.Policy;

/// <summary>The --config option of the verbs that read the policy file.</summary>
internal static class PolicyFileOption
{
    public static Option<string?> Create() => new("--config")
    {
        Description = $"The policy file (default: ${PolicyFile.PathVariable}, else {PolicyFile.DefaultPath})",
        HelpName = "FILE",
    };
}
