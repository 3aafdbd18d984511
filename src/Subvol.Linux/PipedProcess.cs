using System.Diagnostics;

namespace Subvol.Linux;

/// <summary>
/// An external program fed through its standard input, such as 'ssh host subvol receive':
/// the caller writes a stream into it, then waits for its exit status and what it printed.
/// </summary>
public sealed class PipedProcess : IDisposable
{
    private readonly Process _process;
    private readonly Task<string> _output;
    private readonly Task<string> _error;

    private PipedProcess(Process process)
    {
        _process = process;
        _output = process.StandardOutput.ReadToEndAsync();
        _error = process.StandardError.ReadToEndAsync();
    }

    public IReadOnlyList<string> Arguments { get; private init; } = [];

    public System.IO.Stream Input => _process.StandardInput.BaseStream;

    /// <summary>Starts argv[0] (a name looked up in PATH, or a path) with the rest as its arguments, never through a shell.</summary>
    public static PipedProcess Start(IReadOnlyList<string> arguments)
    {
        var info = new ProcessStartInfo(arguments[0])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments.Skip(1))
        {
            info.ArgumentList.Add(argument);
        }

        var process = Process.Start(info) ?? throw new ExternalToolException(arguments, -1, "the program could not be started");
        return new PipedProcess(process) { Arguments = arguments };
    }

    /// <summary>Closes standard input and waits for the program to end.</summary>
    public ToolResult Finish()
    {
        try
        {
            _process.StandardInput.Close();
        }
        catch (IOException)
        {
            // The program may have exited already; its status says why.
        }

        _process.WaitForExit();
        return new ToolResult(_process.ExitCode, _output.GetAwaiter().GetResult(), _error.GetAwaiter().GetResult());
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            try
            {
                _process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
            }
        }

        _process.Dispose();
    }
}
