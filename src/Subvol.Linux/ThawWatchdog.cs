using System.Diagnostics;

namespace Subvol.Linux;

/// <summary>
/// A helper process that thaws a filesystem if this process goes away while it is frozen, even by SIGKILL.
/// </summary>
/// <remarks>
/// The helper reads a pipe whose write end only this process holds (the runtime opens it close-on-exec), so it
/// sees end-of-file exactly when this process closes it or dies; if the freeze record still exists then, the
/// freeze was never finished, so it runs <c>fsfreeze -u</c> and removes the record.
/// </remarks>
public sealed class ThawWatchdog : IDisposable
{
    // $1 mount point, $2 record, $3 fsfreeze: arguments, never interpolated, so no path is ever parsed as shell.
    private const string Script =
        "exec >/dev/null 2>&1; " +
        "while read -r _; do :; done; " +
        "if [ -e \"$2\" ]; then \"$3\" -u \"$1\"; rm -f -- \"$2\"; fi";

    private static readonly TimeSpan ExitWait = TimeSpan.FromSeconds(30);

    private readonly Process _helper;
    private bool _disposed;

    private ThawWatchdog(Process helper, string mountPoint, string recordPath)
    {
        _helper = helper;
        MountPoint = mountPoint;
        RecordPath = recordPath;
    }

    public string MountPoint { get; }

    public string RecordPath { get; }

    /// <summary>The helper's process id.</summary>
    public int ProcessId => _helper.Id;

    public static ThawWatchdog Start(string mountPoint, string recordPath)
    {
        // setsid(1) puts the helper in a session of its own, so a terminal's SIGINT or SIGHUP does not reach it.
        var start = new ProcessStartInfo(Tools.Find("setsid"))
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        start.ArgumentList.Add("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("subvol-thaw-watchdog");
        start.ArgumentList.Add(Path.GetFullPath(mountPoint));
        start.ArgumentList.Add(Path.GetFullPath(recordPath));
        start.ArgumentList.Add(Tools.Find("fsfreeze"));
        var helper = Process.Start(start) ?? throw new InvalidOperationException("setsid did not start");
        return new ThawWatchdog(helper, mountPoint, recordPath);
    }

    /// <summary>Closes the pipe and waits for the helper to finish, so a record left behind has been acted on.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            _helper.StandardInput.Close();
            _helper.WaitForExit(ExitWait);
        }
        catch (Exception)
        {
            // Dispose must not throw; the helper acts on end-of-file whether or not this wait completes.
        }
        finally
        {
            _helper.Dispose();
        }
    }
}
