using System.Diagnostics;

namespace Subvol.Linux;

/// <summary>
/// A command an administrator wrote into a policy, such as one that quiesces a database before a snapshot: run
/// by /bin/sh -c, as sanoid and btrbk run theirs, with extra environment variables, and killed with everything
/// it started when it outlives its timeout.
/// </summary>
public static class HookCommand
{
    /// <summary>Runs <paramref name="command"/>; returns its result, or null when it was killed for taking longer than <paramref name="timeout"/>.</summary>
    public static ToolResult? Run(string command, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(command);
        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start) ?? throw new ExternalToolException(["/bin/sh", "-c", command], -1, "the shell could not be started");
        process.StandardInput.Close();
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // It ended between the timeout and the kill.
            }

            process.WaitForExit();
            return null;
        }

        process.WaitForExit();
        return new ToolResult(process.ExitCode, output.GetAwaiter().GetResult(), error.GetAwaiter().GetResult());
    }
}
