namespace Subvol.Linux;

/// <summary>An external program failed; carries its argument vector, exit status and standard error.</summary>
public sealed class ExternalToolException : Exception
{
    private const int MessageLines = 3;

    public ExternalToolException(IReadOnlyList<string> arguments, int exitCode, string standardError)
        : base(FormatMessage(arguments, exitCode, standardError))
    {
        Arguments = arguments;
        ExitCode = exitCode;
        StandardError = standardError;
    }

    /// <summary>The argument vector, starting with the program's absolute path.</summary>
    public IReadOnlyList<string> Arguments { get; }

    public int ExitCode { get; }

    public string StandardError { get; }

    private static string FormatMessage(IReadOnlyList<string> arguments, int exitCode, string standardError)
    {
        var name = arguments.Count > 0 ? Path.GetFileName(arguments[0]) : "program";
        var lines = standardError
            .Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Take(MessageLines);
        var text = string.Join("; ", lines);
        return text.Length == 0 ? $"{name} failed (exit {exitCode})" : $"{name} failed (exit {exitCode}): {text}";
    }
}
