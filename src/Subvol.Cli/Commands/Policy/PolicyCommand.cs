using System.CommandLine;

namespace Subvol.Cli.Commands.Policy;

internal static class PolicyCommand
{
    public static Command Create() => new("policy", "Check the policy file that says which subvolumes get automatic snapshots, how many are kept, and where they are replicated")
    {
        PolicyCheckCommand.Create(),
    };
}
