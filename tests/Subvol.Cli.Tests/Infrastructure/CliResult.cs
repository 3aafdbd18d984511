namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>What one run of a program did: its exit code and everything it printed.</summary>
public sealed record CliResult(IReadOnlyList<string> Arguments, int ExitCode, string Stdout, string Stderr)
{
    public string[] StderrLines => Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    public override string ToString() =>
        $"`{string.Join(' ', Arguments.Select(Quote))}` exited {ExitCode}\n--- stdout ---\n{Stdout}\n--- stderr ---\n{Stderr}";

    /// <summary>Asserts a zero exit code, with the whole run in the message.</summary>
    public CliResult ShouldSucceed()
    {
        Assert.True(ExitCode == 0, $"expected success: {this}");
        return this;
    }

    /// <summary>Asserts a clean failure: this exit code, nothing on stdout, stderr led by one "subvol: error:" line (usage errors add a hint).</summary>
    public CliResult ShouldFailWith(int exitCode)
    {
        Assert.True(ExitCode == exitCode, $"expected exit {exitCode}: {this}");
        Assert.True(Stdout.Length == 0, $"expected nothing on stdout: {this}");
        var errors = StderrLines.Where(line => line.StartsWith("subvol: error: ", StringComparison.Ordinal)).ToList();
        Assert.True(errors.Count == 1 && StderrLines[0] == errors[0], $"expected stderr to start with exactly one 'subvol: error: ' line: {this}");
        return this;
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./@=:+".Contains(c)) ? argument : $"'{argument}'";
}
