using System.Text.Json;

namespace Subvol.Cli.Tests.Infrastructure;

/// <summary>
/// One file-backed pool under a temporary directory named subvol-test-*, shared by the tests of a
/// class. Dispose exports it, removes whatever is left, and then asserts that no mount and no loop
/// device of that directory survived.
/// </summary>
public class PoolFixture : IDisposable
{
    private readonly TestArea? _area;
    private readonly bool _ownsArea = true;
    private readonly string _name = "pool";

    /// <summary>
    /// A pool that another fixture made in its own area, named <paramref name="name"/> there, and
    /// cleans up: commands find it as their default pool.
    /// </summary>
    internal PoolFixture(TestArea area, string name)
    {
        _area = area;
        _ownsArea = false;
        _name = name;
        Cli = new SubvolCli(ConfigurationDirectory, PoolPath);
    }

    public PoolFixture()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            Cli = new SubvolCli("/nonexistent", null);
            return;
        }

        _area = new TestArea();
        Cli = new SubvolCli(ConfigurationDirectory, PoolPath);
        try
        {
            Cli.Run(["pool", "create", PoolPath, "--image", ImagePath, "--size", PoolSize, .. Sparse ? ["--sparse"] : Array.Empty<string>()]).ShouldSucceed();
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>
    /// Large enough for the reservations of guaranteed subvolumes (the default provisioning) and
    /// their snapshots that a test class makes.
    /// </summary>
    protected virtual string PoolSize => "16G";

    /// <summary>Sparse, so only what the tests write takes host space; tests whose subject is space keep the pool image allocated.</summary>
    protected virtual bool Sparse => true;

    public string Root => _area?.Root ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public string PoolPath => Path.Combine(Root, _name);

    public string ImagePath => Path.Combine(Root, _name + ".img");

    public string ConfigurationDirectory => Area.ConfigurationDirectory;

    private TestArea Area => _area ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public SubvolCli Cli { get; }

    public CliResult Run(params string[] arguments) => Cli.Run(arguments);

    public string SubvolumeImage(string name) => Path.Combine(PoolPath, "subvolumes", name + ".img");

    public string SnapshotImage(string subvolume, string snapshot) => Path.Combine(PoolPath, "snapshots", subvolume, snapshot + ".img");

    public string DefaultMountPoint(string target) => Path.Combine(PoolPath, "mounts", target);

    /// <summary>A new empty directory under the test directory, for --at and for scratch files.</summary>
    public string NewDirectory(string name) => Area.NewDirectory(name);

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
        Json("list", "-t", "snapshot", subvolume).EnumerateArray().Select(item => item.GetProperty("snapshot").GetString()!).Order(StringComparer.Ordinal).ToList();

    public IReadOnlyList<string> AllSnapshotFullNames() =>
        Json("list", "-t", "snapshot").EnumerateArray().Select(item => item.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();

    public JsonElement PoolStatus() => Json("pool", "status");

    /// <summary>Starts a subvol command that parks at a pause point, and returns once it is parked there.</summary>
    public ChildProcess StartPaused(string point, params string[] arguments) => Area.StartPaused(Cli, point, arguments);

    /// <summary>The same, with <paramref name="environment"/> as well.</summary>
    public ChildProcess StartPaused(string point, IReadOnlyDictionary<string, string?> environment, params string[] arguments) => Area.StartPaused(Cli, point, environment, arguments);

    /// <summary>Remembers a process a test started, so that Dispose stops it if the test could not.</summary>
    public ChildProcess Track(ChildProcess child) => Area.Track(child);

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
        if (_ownsArea)
        {
            _area?.CleanUp(Cli, [PoolPath]);
        }
    }
}
