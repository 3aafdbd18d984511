using System.Diagnostics;

namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class ThawWatchdogTests(XfsPoolFixture pool)
{
    [RootFact]
    public void DisposeWhileTheRecordExistsThawsAndDeletesTheRecord()
    {
        WithRecord(record =>
        {
            Freeze.Begin(pool.MountPoint);
            var watchdog = ThawWatchdog.Start(pool.MountPoint, record);
            Assert.True(Freeze.IsFrozen(pool.MountPoint));

            watchdog.Dispose();

            Assert.False(Freeze.IsFrozen(pool.MountPoint));
            Assert.False(File.Exists(record));
        });
    }

    [RootFact]
    public void DisposeAfterTheRecordIsGoneLeavesTheFileSystemAlone()
    {
        WithRecord(record =>
        {
            using var freeze = Freeze.Begin(pool.MountPoint);
            var watchdog = ThawWatchdog.Start(pool.MountPoint, record);
            File.Delete(record);

            watchdog.Dispose();

            Assert.True(Freeze.IsFrozen(pool.MountPoint));
        });
    }

    [RootFact]
    public void ReleaseWhileTheRecordExistsThawsAndDeletesTheRecordWithoutWaitingForDispose()
    {
        WithRecord(record =>
        {
            Freeze.Begin(pool.MountPoint);
            using var watchdog = ThawWatchdog.Start(pool.MountPoint, record);

            watchdog.Release();

            Assert.True(Waiting.Eventually(() => !File.Exists(record), Scratch.Patience), "the helper acts once the pipe is closed, before anyone waits for it");
            Assert.False(Freeze.IsFrozen(pool.MountPoint));
        });
    }

    [RootFact]
    public void ReleaseAfterTheRecordIsGoneLeavesTheFileSystemAloneAndDisposeStillWaits()
    {
        WithRecord(record =>
        {
            using var freeze = Freeze.Begin(pool.MountPoint);
            var watchdog = ThawWatchdog.Start(pool.MountPoint, record);
            using var helper = Process.GetProcessById(watchdog.ProcessId);
            File.Delete(record);

            watchdog.Release();
            watchdog.Dispose();

            Assert.True(helper.HasExited);
            Assert.True(Freeze.IsFrozen(pool.MountPoint));
        });
    }

    [RootFact]
    public void ARecordDirectorySwappedForALinkAfterTheStartIsNeitherFollowedNorUsed()
    {
        var record = NewRecord();
        var directory = Path.GetDirectoryName(record)!;
        var moved = directory + "-moved";
        var outside = pool.NewHostDirectory();
        var bait = Path.Combine(outside, Path.GetFileName(record));
        File.WriteAllText(bait, "not the pool's");
        try
        {
            Freeze.Begin(pool.MountPoint);
            var watchdog = ThawWatchdog.Start(pool.MountPoint, record);
            Directory.Move(directory, moved);
            Directory.CreateSymbolicLink(directory, outside);

            watchdog.Dispose();

            Assert.False(Freeze.IsFrozen(pool.MountPoint));
            Assert.False(File.Exists(Path.Combine(moved, Path.GetFileName(record))), "the record it was started for is removed where it is now");
            Assert.Equal("not the pool's", File.ReadAllText(bait));
        }
        finally
        {
            Freeze.TryThaw(pool.MountPoint);
            File.Delete(directory);
        }
    }

    [RootFact]
    public void OwnerKilledWithSigkillStillGetsItsFileSystemThawed()
    {
        WithRecord(record =>
        {
            Freeze.Begin(pool.MountPoint);
            using var owner = StartOwner(pool.MountPoint, record);
            Assert.Equal(Program.Ready, owner.StandardOutput.ReadLine());
            Assert.True(Freeze.IsFrozen(pool.MountPoint));

            // Process.Kill sends SIGKILL: the owner runs no code of its own on the way out.
            owner.Kill();
            owner.WaitForExit();

            Assert.True(Waiting.Eventually(() => !File.Exists(record), Scratch.Patience));
            Assert.False(Freeze.IsFrozen(pool.MountPoint));
        });
    }

    [RootFact]
    public void WatchdogRunsInItsOwnSession()
    {
        var record = NewRecord();
        File.Delete(record);
        using var watchdog = ThawWatchdog.Start(pool.MountPoint, record);

        // The helper becomes a session leader once setsid has run, a moment after it starts.
        Assert.True(Waiting.Eventually(() => SessionOf(watchdog.ProcessId) == watchdog.ProcessId, Scratch.Patience));
    }

    private static int SessionOf(int pid)
    {
        // proc_pid_stat(5): field 6 is the session id, the fourth field after the command name.
        var stat = File.ReadAllText($"/proc/{pid.ToString(System.Globalization.CultureInfo.InvariantCulture)}/stat");
        return int.Parse(stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[3], System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Runs the test with a new freeze record's path, and thaws the mount point after it whatever the test left frozen.</summary>
    private void WithRecord(Action<string> test)
    {
        var record = NewRecord();
        try
        {
            test(record);
        }
        finally
        {
            Freeze.TryThaw(pool.MountPoint);
        }
    }

    private string NewRecord()
    {
        var record = Path.Combine(pool.NewHostDirectory(), "freeze-record");
        File.WriteAllText(record, "test");
        return record;
    }

    private static Process StartOwner(string mountPoint, string record)
    {
        // The test assembly doubles as the owner process (Program.Main), run by its apphost or by dotnet.
        var assembly = Path.Combine(AppContext.BaseDirectory, typeof(Program).Assembly.GetName().Name + ".dll");
        var apphost = Path.ChangeExtension(assembly, null);
        var start = File.Exists(apphost)
            ? new ProcessStartInfo(apphost)
            : new ProcessStartInfo(Environment.ProcessPath!) { ArgumentList = { "exec", assembly } };
        start.ArgumentList.Add(Program.WatchdogChild);
        start.ArgumentList.Add(mountPoint);
        start.ArgumentList.Add(record);
        start.RedirectStandardOutput = true;
        start.UseShellExecute = false;
        return Process.Start(start)!;
    }
}
