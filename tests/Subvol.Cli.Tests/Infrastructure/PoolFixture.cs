using System.Text.Json;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>
/// One file-backed pool under a temporary directory named subvol-test-*, shared by the tests of a
/// class. Dispose exports it, removes whatever is left, and then asserts that no mount and no loop
/// device of that directory survived.
/// </summary>
public class PoolFixture : IDisposable
{
    private readonly List<ChildProcess> _processes = [];
    private readonly DirectoryInfo? _directory;
    private int _markers;

    public PoolFixture()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            Cli = new SubvolCli("/nonexistent", null);
            return;
        }

        _directory = Directory.CreateTempSubdirectory("subvol-test-");
        Cli = new SubvolCli(ConfigurationDirectory, PoolPath);
        try
        {
            Cli.Run("pool", "create", PoolPath, "--image", ImagePath, "--size", PoolSize).ShouldSucceed();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Sparse, so only what the tests write takes host space; large enough for the reservations of
    /// guaranteed subvolumes (the default provisioning) and their snapshots that a test class makes.
    /// </summary>
    protected virtual string PoolSize => "16G";

    public string Root => _directory?.FullName ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public string PoolPath => Path.Combine(Root, "pool");

    public string ImagePath => Path.Combine(Root, "pool.img");

    public string ConfigurationDirectory => Path.Combine(Root, "config");

    public SubvolCli Cli { get; }

    public CliResult Run(params string[] arguments) => Cli.Run(arguments);

    public string SubvolumeImage(string name) => Path.Combine(PoolPath, "subvolumes", name + ".img");

    public string SnapshotImage(string subvolume, string snapshot) => Path.Combine(PoolPath, "snapshots", subvolume, snapshot + ".img");

    public string DefaultMountPoint(string target) => Path.Combine(PoolPath, "mounts", target);

    /// <summary>A new empty directory under the test directory, for --at and for scratch files.</summary>
    public string NewDirectory(string name)
    {
        var path = Path.Combine(Root, "scratch", name);
        Directory.CreateDirectory(path);
        return path;
    }

    public void Create(string name, string size, string fileSystem = "xfs") =>
        Run("create", name, "--size", size, "--fs", fileSystem).ShouldSucceed();

    /// <summary>Mounts a subvolume or snapshot where subvol chooses, and returns the mount point the kernel shows.</summary>
    public string Mount(string target)
    {
        Run("mount", target).ShouldSucceed();
        var mountPoint = DefaultMountPoint(target);
        var mount = Kernel.MountAt(mountPoint);
        Assert.True(mount is not null, $"{target} should be mounted at {mountPoint}");
        return mountPoint;
    }

    public void Unmount(string target)
    {
        Run("umount", target).ShouldSucceed();
        Assert.Null(Kernel.MountAt(DefaultMountPoint(target)));
    }

    public JsonElement Json(params string[] arguments)
    {
        var result = Run([.. arguments, "--json"]).ShouldSucceed();
        try
        {
            using var document = JsonDocument.Parse(result.Stdout);
            return document.RootElement.Clone();
        }
        catch (JsonException exception)
        {
            Assert.Fail($"not one JSON document ({exception.Message}): {result}");
            throw;
        }
    }

    public IReadOnlyList<string> SubvolumeNames() =>
        Json("list").EnumerateArray().Select(item => item.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> SnapshotNames(string subvolume) =>
        Json("list", "-t", "snapshot", subvolume).EnumerateArray().Select(item => item.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> AllSnapshotFullNames() =>
        Json("list", "-t", "snapshot").EnumerateArray().Select(item => item.GetProperty("full_name").GetString()!).Order(StringComparer.Ordinal).ToList();

    public JsonElement PoolStatus() => Json("pool", "status");

    /// <summary>Starts a subvol command that parks at a pause point, and returns once it is parked there.</summary>
    public ChildProcess StartPaused(string point, params string[] arguments)
    {
        var markers = Path.Combine(Root, "markers");
        Directory.CreateDirectory(markers);
        var marker = Path.Combine(markers, $"{point}-{Interlocked.Increment(ref _markers)}");
        var child = Track(Cli.Start(new Dictionary<string, string?> { ["SUBVOL_TEST_PAUSE"] = point, ["SUBVOL_TEST_PAUSE_MARKER"] = marker }, arguments));
        var reached = Tools.Eventually(() => File.Exists(marker) || child.HasExited, SubvolCli.Timeout);
        if (!File.Exists(marker))
        {
            var exited = child.HasExited;
            child.Kill();
            Assert.Fail($"never reached pause point {point} ({(reached && exited ? "exited first" : "timed out")}): {child.Result(exited ? child.ExitCode : -1)}");
        }

        return child;
    }

    /// <summary>Remembers a process a test started, so that Dispose stops it if the test could not.</summary>
    public ChildProcess Track(ChildProcess child)
    {
        lock (_processes)
        {
            _processes.Add(child);
        }

        return child;
    }

    /// <summary>check reports leftovers or nothing; check --repair makes the pool consistent; a second check agrees.</summary>
    public void CheckRepairsToConsistent()
    {
        var first = Run("check", "--json");
        Assert.True(first.ExitCode is 0 or 10, $"check should exit 0 (consistent) or 10 (findings): {first}");
        using (var report = JsonDocument.Parse(first.Stdout))
        {
            var findings = report.RootElement.GetProperty("findings").GetArrayLength();
            var consistent = report.RootElement.GetProperty("consistent").GetBoolean();
            Assert.True(consistent == (first.ExitCode == 0), $"'consistent' should agree with the exit code: {first}");
            Assert.True(first.ExitCode == 0 || findings > 0, $"exit 10 should come with findings: {first}");
        }

        Run("check", "--repair").ShouldSucceed();
        var second = Run("check", "--json").ShouldSucceed();
        using var after = JsonDocument.Parse(second.Stdout);
        Assert.True(after.RootElement.GetProperty("consistent").GetBoolean(), second.ToString());
        Assert.Equal(0, after.RootElement.GetProperty("findings").GetArrayLength());
    }

    /// <summary>
    /// The files agree with the listing: every listed subvolume and snapshot has its image, no
    /// other image lies about, nothing is half made, nothing is left frozen.
    /// </summary>
    public void AssertFilesMatchListing()
    {
        var subvolumes = SubvolumeNames();
        var snapshots = AllSnapshotFullNames();
        var subvolumeFiles = Directory.EnumerateFiles(Path.Combine(PoolPath, "subvolumes")).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(subvolumes.Select(name => name + ".img").Order(StringComparer.Ordinal), subvolumeFiles);
        var snapshotFiles = Directory.Exists(Path.Combine(PoolPath, "snapshots"))
            ? Directory.EnumerateFiles(Path.Combine(PoolPath, "snapshots"), "*", SearchOption.AllDirectories)
                .Select(path => Path.GetFileName(Path.GetDirectoryName(path)) + "@" + Path.GetFileName(path))
                .Order(StringComparer.Ordinal).ToList()
            : [];
        Assert.Equal(snapshots.Select(name => name + ".img").Order(StringComparer.Ordinal), snapshotFiles);
        var incoming = Path.Combine(PoolPath, "incoming");
        Assert.Empty(Directory.Exists(incoming) ? Directory.EnumerateFileSystemEntries(incoming) : []);
        var freezes = Path.Combine(PoolPath, ".subvol", "freezes");
        Assert.Empty(Directory.Exists(freezes) ? Directory.EnumerateFileSystemEntries(freezes) : []);
    }

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        if (_directory is null)
        {
            return;
        }

        var problems = new List<string>();
        var root = _directory.FullName;

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
            foreach (var mount in MountsUnder(root).Where(mount => mount.Target != PoolPath))
            {
                Tools.Run("fsfreeze", "-u", mount.Target);
            }
        });

        // 3. Export: unmounts every subvolume and snapshot, and the pool.
        Attempt(problems, "exporting", () =>
        {
            if (Kernel.MountAt(PoolPath) is null)
            {
                return;
            }

            var export = Cli.Run("pool", "export", PoolPath);
            if (export.ExitCode != 0)
            {
                problems.Add($"pool export failed: {export}");
                return;
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
