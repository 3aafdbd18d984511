using System.Globalization;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>
/// A temporary directory named subvol-test-* for the pools of one test class, with the processes
/// its tests started. CleanUp stops them, exports the pools, removes whatever is left, and then
/// asserts that no mount and no loop device of the directory survived.
/// </summary>
public sealed class TestArea
{
    private readonly List<ChildProcess> _processes = [];
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-test-");
    private int _markers;

    public TestArea()
    {
        Directory.CreateDirectory(ConfigurationDirectory);
    }

    public string Root => _directory.FullName;

    public string ConfigurationDirectory => Path.Combine(Root, "config");

    /// <summary>A new empty directory outside the pools, for stream files and other scratch files.</summary>
    public string NewDirectory(string name)
    {
        var path = Path.Combine(Root, "scratch", name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>Remembers a process a test started, so that CleanUp stops it if the test could not.</summary>
    public ChildProcess Track(ChildProcess child)
    {
        lock (_processes)
        {
            _processes.Add(child);
        }

        return child;
    }

    /// <summary>Starts a subvol command that parks at a pause point, and returns once it is parked there.</summary>
    public ChildProcess StartPaused(SubvolCli cli, string point, params string[] arguments)
    {
        var markers = Path.Combine(Root, "markers");
        Directory.CreateDirectory(markers);
        var marker = Path.Combine(markers, $"{point}-{Interlocked.Increment(ref _markers).ToString(CultureInfo.InvariantCulture)}");
        var child = Track(cli.Start(new Dictionary<string, string?> { ["SUBVOL_TEST_PAUSE"] = point, ["SUBVOL_TEST_PAUSE_MARKER"] = marker }, arguments));
        var reached = Tools.Eventually(() => File.Exists(marker) || child.HasExited, SubvolCli.Timeout);
        if (!File.Exists(marker))
        {
            var exited = child.HasExited;
            child.Kill();
            Assert.Fail($"never reached pause point {point} ({(reached && exited ? "exited first" : "timed out")}): {child.Result(exited ? child.ExitCode : -1)}");
        }

        return child;
    }

    public void CleanUp(SubvolCli cli, IReadOnlyCollection<string> pools)
    {
        var problems = new List<string>();
        var root = Root;

        // 1. Processes: the ones tests started, then any left that carry this pool's environment (a thaw watchdog).
        Attempt(problems, "stopping the tests' processes", () =>
        {
            lock (_processes)
            {
                foreach (var child in _processes)
                {
                    child.Dispose();
                }
            }

            if (!Tools.Eventually(() => Kernel.ProcessesWithEnvironment(ConfigurationDirectory).Count == 0, TimeSpan.FromSeconds(10)))
            {
                foreach (var pid in Kernel.ProcessesWithEnvironment(ConfigurationDirectory))
                {
                    problems.Add($"process {pid} ({Kernel.CommandLine(pid)}) was still running 10 s after the tests; killed it");
                    Tools.Run("kill", "-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        });

        // 2. Nothing may stay frozen, or unmounting it would hang.
        Attempt(problems, "thawing", () =>
        {
            foreach (var mount in MountsUnder(root).Where(mount => !pools.Contains(mount.Target)))
            {
                Tools.Run("fsfreeze", "-u", mount.Target);
            }
        });

        // 3. Export: unmounts every subvolume and snapshot, and the pool.
        Attempt(problems, "exporting", () =>
        {
            foreach (var pool in pools.Where(pool => Kernel.MountAt(pool) is not null))
            {
                var export = cli.Run("pool", "export", pool);
                if (export.ExitCode != 0)
                {
                    problems.Add($"pool export failed: {export}");
                    return;
                }
            }

            WaitForDetach(root);
            problems.AddRange(MountsUnder(root).Select(mount => $"still mounted after pool export: {mount.Target} ({mount.Source})"));
            problems.AddRange(LoopsUnder(root).Select(loop => $"still attached after pool export: {loop.Device} ({loop.BackingFile})"));
        });

        // 4. Whatever is left: unmount deepest first, then detach loop devices, innermost images first.
        Attempt(problems, "unmounting leftovers", () =>
        {
            foreach (var mount in MountsUnder(root).OrderByDescending(mount => mount.Target.Length))
            {
                if (Tools.Run("umount", mount.Target).ExitCode != 0)
                {
                    Tools.Run("umount", "-l", mount.Target);
                }
            }
        });

        Attempt(problems, "detaching leftovers", () =>
        {
            foreach (var loop in LoopsUnder(root).OrderByDescending(loop => loop.BackingFile.Length))
            {
                Tools.Run("losetup", "-d", loop.Device);
            }

            WaitForDetach(root);
        });

        // 5. The directory itself, unless something is still mounted in it.
        Attempt(problems, "deleting the directory", () =>
        {
            if (MountsUnder(root).Count == 0)
            {
                Tools.Run("chattr", "-R", "-i", root);
                _directory.Delete(recursive: true);
            }
        });

        // 6. The leak check.
        var losetup = Tools.Run("losetup", "-a");
        var leakedLoops = losetup.Stdout.Split('\n').Where(line => line.Contains(root, StringComparison.Ordinal)).ToList();
        var leakedMounts = File.ReadAllLines("/proc/self/mountinfo").Where(line => line.Contains(root, StringComparison.Ordinal)).ToList();
        problems.AddRange(leakedLoops.Select(line => $"losetup -a still shows: {line}"));
        problems.AddRange(leakedMounts.Select(line => $"mountinfo still shows: {line}"));
        Assert.True(problems.Count == 0, $"cleaning up {root}:\n{string.Join('\n', problems)}");
    }

    private static void Attempt(List<string> problems, string step, Action action)
    {
        try
        {
            action();
        }
        catch (Exception exception)
        {
            problems.Add($"{step}: {exception}");
        }
    }

    private static List<MountEntry> MountsUnder(string root) =>
        Kernel.Mounts().Where(mount => mount.Target == root || mount.Target.StartsWith(root + "/", StringComparison.Ordinal)).ToList();

    private static List<LoopEntry> LoopsUnder(string root) =>
        Kernel.LoopDevices().Where(loop => loop.BackingFile.StartsWith(root + "/", StringComparison.Ordinal)).ToList();

    /// <summary>An auto-clearing loop device goes away a moment after its last unmount, not at once.</summary>
    private static void WaitForDetach(string root) =>
        Tools.Eventually(() => MountsUnder(root).Count == 0 && LoopsUnder(root).Count == 0, TimeSpan.FromSeconds(10));
}
