namespace Subvol.Linux;

/// <summary>How an external program ended, and what it printed.</summary>
public sealed record ToolResult(int ExitCode, string StandardOutput, string StandardError);
