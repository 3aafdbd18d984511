using System.Diagnostics;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>
/// A program started with its output going to files, not pipes: a helper it leaves behind (the
/// thaw watchdog, say) may hold its stdout open, and that must never make a test wait.
/// </summary>
public sealed class ChildProcess : IDisposable
{
    private readonly Process _process;
    private readonly string _stdoutPath;
    private readonly string _stderrPath;
    private bool _disposed;

    private ChildProcess(Process process, IReadOnlyList<string> arguments, string stdoutPath, string stderrPath)
    {
        _process = process;
        Arguments = arguments;
        _stdoutPath = stdoutPath;
        _stderrPath = stderrPath;
    }

    public IReadOnlyList<string> Arguments { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Stdout => ReadIfExists(_stdoutPath);

    public string Stderr => ReadIfExists(_stderrPath);

    public static ChildProcess Start(string program, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?>? environment = null, IEnumerable<string>? removeVariables = null)
    {
        var argumentList = arguments.ToList();
        var stdoutPath = Path.GetTempFileName();
        var stderrPath = Path.GetTempFileName();
        var startInfo = new ProcessStartInfo("/bin/sh") { UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add("out=$1; err=$2; shift 2; exec \"$@\" >\"$out\" 2>\"$err\" </dev/null");
        startInfo.ArgumentList.Add("sh");
        startInfo.ArgumentList.Add(stdoutPath);
        startInfo.ArgumentList.Add(stderrPath);
        startInfo.ArgumentList.Add(program);
        foreach (var argument in argumentList)
        {
            startInfo.ArgumentList.Add(argument);
        }

        foreach (var name in removeVariables ?? [])
        {
            startInfo.Environment.Remove(name);
        }

        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                startInfo.Environment.Remove(name);
            }
            else
            {
                startInfo.Environment[name] = value;
            }
        }

        var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"cannot start {program}");
        return new ChildProcess(process, [program, .. argumentList], stdoutPath, stderrPath);
    }

    /// <summary>Waits for the exit; false when the timeout passed first.</summary>
    public bool WaitForExit(TimeSpan timeout) => _process.WaitForExit(timeout);

    /// <summary>Waits for the exit and returns what the program did; kills it and fails the test when it takes too long.</summary>
    public CliResult Finish(TimeSpan timeout)
    {
        if (!_process.WaitForExit(timeout))
        {
            Kill();
            Assert.Fail($"timed out after {timeout.TotalSeconds:0} s and was killed: {Result(-1)}");
        }

        return Result(_process.ExitCode);
    }

    public int ExitCode => _process.ExitCode;

    public CliResult Result(int exitCode) => new(Arguments, exitCode, Stdout, Stderr);

    /// <summary>SIGKILL (what Process.Kill sends on Linux) to this process only, never to its children.</summary>
    public void Kill()
    {
        try
        {
            _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.WaitForExit(TimeSpan.FromSeconds(10));
    }

    /// <summary>Sends a named signal (TERM, INT, …) with kill(1).</summary>
    public void Signal(string name) =>
        Tools.Run("kill", "-s", name, Id.ToString(System.Globalization.CultureInfo.InvariantCulture)).ShouldSucceed();

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_process.HasExited)
        {
            Kill();
        }

        _process.Dispose();
        File.Delete(_stdoutPath);
        File.Delete(_stderrPath);
    }

    private static string ReadIfExists(string path) => File.Exists(path) ? File.ReadAllText(path) : "";
}
