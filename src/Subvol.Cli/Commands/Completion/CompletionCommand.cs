using System.CommandLine;
using Subvol.Cli.CommandLine;

namespace Subvol.Cli.Commands.Completion;

internal static class CompletionCommand
{
    private static readonly Argument<string> ShellArgument = new("SHELL") { Description = "bash or zsh" };

    // Both scripts ask subvol itself through the [suggest] directive, so completions follow the commands.
    private const string Bash = """
        _subvol_complete() {
            local IFS=$'\n'
            COMPREPLY=( $(subvol "[suggest:${COMP_POINT}]" "${COMP_LINE}" 2>/dev/null) )
        }
        complete -o default -F _subvol_complete subvol
        """;

    private const string Zsh = """
        _subvol_complete() {
            local -a completions
            completions=( ${(f)"$(subvol "[suggest:${#BUFFER}]" "$BUFFER" 2>/dev/null)"} )
            compadd -- $completions
        }
        compdef _subvol_complete subvol
        """;

    public static Command Create()
    {
        ShellArgument.AcceptOnlyFromAmong("bash", "zsh");
        var command = new Command("completion", "Print a shell completion script, e.g. subvol completion bash > /etc/bash_completion.d/subvol") { ShellArgument };
        command.SetBehaviour(Run);
        return command;
    }

    private static int Run(CommandContext context)
    {
        context.Reporter.Done(context.Get(ShellArgument) == "bash" ? Bash : Zsh);
        return ExitCodes.Success;
    }
}
