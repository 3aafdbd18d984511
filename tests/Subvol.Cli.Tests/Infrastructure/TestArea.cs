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
    public ChildProcess StartPaused(SubvolCli cli, string point, params string[] arguments) => StartPaused(cli, point, new Dictionary<string, string?>(), arguments);

    /// <summary>Starts the command with <paramref name="environment"/> as well, and returns once it is parked at <paramref name="point"/>.</summary>
    public ChildProcess StartPaused(SubvolCli cli, string point, IReadOnlyDictionary<string, string?> environment, params string[] arguments)
    {
        var markers = Path.Combine(Root, "markers");
        Directory.CreateDirectory(markers);
        var marker = Path.Combine(markers, $"{point}-{Interlocked.Increment(ref _markers).ToString(CultureInfo.InvariantCulture)}");
        var variables = new Dictionary<string, string?>(environment) { ["SUBVOL_TEST_PAUSE"] = point, ["SUBVOL_TEST_PAUSE_MARKER"] = marker };
        var child = Track(cli.Start(variables, arguments));
        var reached = Waiting.Eventually(() => File.Exists(marker) || child.HasExited, SubvolCli.Timeout);
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
        var cleanUp = new DirectoryCleanUp(Root);

        // 1. Processes: the ones tests started, then any left that carry this pool's environment (a thaw watchdog).
        cleanUp.Attempt("stopping the tests' processes", () =>
        {
            lock (_processes)
            {
                foreach (var child in _processes)
                {
                    child.Dispose();
                }
            }

            if (!Waiting.Eventually(() => Kernel.ProcessesWithEnvironment(ConfigurationDirectory).Count == 0, TimeSpan.FromSeconds(10)))
            {
                foreach (var pid in Kernel.ProcessesWithEnvironment(ConfigurationDirectory))
                {
                    cleanUp.Report($"process {pid} ({Kernel.CommandLine(pid)}) was still running 10 s after the tests; killed it");
                    Tools.Run("kill", "-KILL", pid.ToString(System.Globalization.CultureInfo.InvariantCulture));
                }
            }
        });

        // 2. Nothing may stay frozen, or unmounting it would hang.
        cleanUp.Thaw(except: pools);

        // 3. Export: unmounts every subvolume and snapshot, and the pool.
        cleanUp.Attempt("exporting", () =>
        {
            foreach (var pool in pools.Where(pool => Kernel.MountAt(pool) is not null))
            {
                var export = cli.Run("pool", "export", pool);
                if (export.ExitCode != 0)
                {
                    cleanUp.Report($"pool export failed: {export}");
                    return;
                }
            }

            cleanUp.WaitUntilReleased();
            cleanUp.Report(Kernel.MountsUnder(Root).Select(mount => $"still mounted after pool export: {mount.Target} ({mount.Source})"));
            cleanUp.Report(Kernel.LoopsUnder(Root).Select(loop => $"still attached after pool export: {loop.DevicePath} ({loop.BackingFile})"));
        });

        // 4. Whatever is left, then the directory itself, then the leak check.
        cleanUp.ReleaseLeftovers();
        cleanUp.DeleteDirectory();
        cleanUp.AssertNothingLeft();
    }
}
