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
    // $1 mount point, $2 the record's directory, $3 the record's name, $4 fsfreeze: arguments, never interpolated, so no
    // path is ever parsed as shell. $1 and $2 are descriptors this process opened (/proc/self/fd/N, inherited), so the
    // helper thaws and cleans up exactly what was frozen and recorded, even if a name was swapped in the meantime.
    private const string Script =
        "exec >/dev/null 2>&1; " +
        "while read -r _; do :; done; " +
        "if [ -e \"$2/$3\" ]; then \"$4\" -u \"$1\"; rm -f -- \"$2/$3\"; fi";

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
        var recordDirectory = Path.GetDirectoryName(Path.GetFullPath(recordPath))!;
        using var mount = Freeze.OpenMountPoint(mountPoint);
        using var directory = Interop.CheckIo(
            Interop.Libc.Open(recordDirectory, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC, 0), "open", recordDirectory);

        // setsid(1) puts the helper in a session of its own, so a terminal's SIGINT or SIGHUP does not reach it.
        var start = new ProcessStartInfo(Tools.Find("setsid"))
        {
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = "/",
        };
        using var sharedMount = InheritedFile.Share(mount, mountPoint);
        using var sharedDirectory = InheritedFile.Share(directory, recordDirectory);
        start.ArgumentList.Add("/bin/sh");
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add("subvol-thaw-watchdog");
        start.ArgumentList.Add(sharedMount.Path);
        start.ArgumentList.Add(sharedDirectory.Path);
        start.ArgumentList.Add(Path.GetFileName(recordPath));
        start.ArgumentList.Add(Tools.Find("fsfreeze"));
        var helper = Process.Start(start) ?? throw new InvalidOperationException("setsid did not start");
        return new ThawWatchdog(helper, mountPoint, recordPath);
    }

    /// <summary>
    /// Closes the pipe, so the helper looks for the record and exits, without waiting for it: a caller with other work to do
    /// (once the freeze is over and its record deleted) lets the helper finish meanwhile, and waits in <see cref="Dispose"/>.
    /// </summary>
    public void Release()
    {
        try
        {
            _helper.StandardInput.Close();
        }
        catch (Exception)
        {
            // Closing can only fail when the pipe is gone already, which the helper reads as end-of-file all the same.
        }
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
            Release();
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
