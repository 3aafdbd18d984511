using System.Globalization;
using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// Two file-backed pools, a source and a destination, under one temporary directory named
/// subvol-test-*, shared by the tests of a class. Dispose stops what the tests started, exports
/// both pools, unmounts and detaches whatever is left under the directory, deletes it, and then
/// asserts that no mount and no loop device of it survived. The tests of a single pool see each
/// pool as a PoolFixture (SourceFixture, DestinationFixture); the replication tests as a ReplicationPool.
/// </summary>
public class ReplicationPools : IDisposable
{
    private readonly TestArea? _area;
    private readonly PoolFixture? _sourceFixture;
    private readonly PoolFixture? _destinationFixture;

    public ReplicationPools()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            Cli = new SubvolCli("/nonexistent", null);
            Source = new ReplicationPool("/nonexistent", Cli);
            Destination = new ReplicationPool("/nonexistent", Cli);
            return;
        }

        _area = new TestArea();
        Cli = new SubvolCli(ConfigurationDirectory, defaultPool: null);
        Source = new ReplicationPool(Path.Combine(Root, "source"), Cli);
        Destination = new ReplicationPool(Path.Combine(Root, "destination"), Cli);
        _sourceFixture = new PoolFixture(_area, "source");
        _destinationFixture = new PoolFixture(_area, "destination");
        try
        {
            foreach (var pool in new[] { Source, Destination })
            {
                Cli.Run("pool", "create", pool.Path, "--image", pool.Path + ".img", "--size", PoolSize, "--sparse").ShouldSucceed();
            }
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Sparse, so only what the tests write takes host space.</summary>
    protected virtual string PoolSize => "4G";

    public string Root => Area.Root;

    public string ConfigurationDirectory => Area.ConfigurationDirectory;

    private TestArea Area => _area ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public SubvolCli Cli { get; }

    public ReplicationPool Source { get; }

    public ReplicationPool Destination { get; }

    /// <summary>
    /// The source pool as the tests of a single pool see it: commands find it as their default
    /// pool, and Create makes guaranteed subvolumes.
    /// </summary>
    public PoolFixture SourceFixture => _sourceFixture ?? throw new InvalidOperationException(Capabilities.SkipReason);

    /// <summary>The destination pool as the tests of a single pool see it, as <see cref="SourceFixture"/>.</summary>
    public PoolFixture DestinationFixture => _destinationFixture ?? throw new InvalidOperationException(Capabilities.SkipReason);

    /// <summary>Runs subvol without a pool (stream dump).</summary>
    public CliResult Run(params string[] arguments) => Cli.Run(arguments);

    /// <summary>A new empty directory outside both pools, for stream files and other scratch files.</summary>
    public string NewDirectory(string name) => Area.NewDirectory(name);

    /// <summary>The records of a stream as <c>subvol stream dump --json</c> prints them (JSON Lines).</summary>
    public List<JsonElement> Dump(string streamFile)
    {
        var result = Run("stream", "dump", streamFile, "--json").ShouldSucceed();
        var records = new List<JsonElement>();
        foreach (var line in result.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var document = JsonDocument.Parse(line);
            records.Add(document.RootElement.Clone());
        }

        Assert.True(records.Count >= 2 && Kind(records[0]) == "begin" && Kind(records[^1]) == "end", $"a dump starts with begin and ends with end: {result}");
        return records;

        static string? Kind(JsonElement record) => record.GetProperty("record").GetString();
    }

    /// <summary>Starts a subvol command that parks at a pause point, and returns once it is parked there.</summary>
    public ChildProcess StartPaused(string point, params string[] arguments) => Area.StartPaused(Cli, point, arguments);

    public ChildProcess Track(ChildProcess child) => Area.Track(child);

    public void Dispose()
    {
        GC.SuppressFinalize(this);
        _area?.CleanUp(Cli, [Source.Path, Destination.Path]);
    }
}

/// <summary>One of the two pools: every command names it with --pool.</summary>
public sealed class ReplicationPool(string path, SubvolCli cli)
{
    public string Path { get; } = path;

    public CliResult Run(params string[] arguments) => cli.Run([.. arguments, "--pool", Path]);

    public CliResult RunWith(IReadOnlyDictionary<string, string?> environment, params string[] arguments) => cli.RunWith(environment, [.. arguments, "--pool", Path]);

    public string[] WithPool(params string[] arguments) => [.. arguments, "--pool", Path];

    public string SubvolumeImage(string name) => System.IO.Path.Combine(Path, "subvolumes", name + ".img");

    public string SnapshotImage(string subvolume, string snapshot) => System.IO.Path.Combine(Path, "snapshots", subvolume, snapshot + ".img");

    public string Incoming => System.IO.Path.Combine(Path, "incoming");

    // Thin, as replicated subvolumes usually are: fstrim then punches only what files freed, which the tests watch.
    public void Create(string name, string size, string fileSystem = "xfs") =>
        Run("create", name, "--size", size, "--fs", fileSystem, "--provisioning", "thin").ShouldSucceed();

    public string Mount(string target)
    {
        Run("mount", target).ShouldSucceed();
        var mountPoint = System.IO.Path.Combine(Path, "mounts", target);
        Assert.True(Kernel.MountAt(mountPoint) is not null, $"{target} should be mounted at {mountPoint}");
        return mountPoint;
    }

    public void Unmount(string target) => Run("umount", target).ShouldSucceed();

    public void Snapshot(string fullName) => Run("snapshot", fullName).ShouldSucceed();

    public JsonElement Json(params string[] arguments)
    {
        var result = Run([.. arguments, "--json"]).ShouldSucceed();
        using var document = JsonDocument.Parse(result.Stdout);
        return document.RootElement.Clone();
    }

    public IReadOnlyList<string> SubvolumeNames() =>
        Json("list").EnumerateArray().Select(item => item.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();

    /// <summary>Every snapshot of the pool as NAME@SNAP, sorted.</summary>
    public IReadOnlyList<string> AllSnapshots() =>
        Json("list", "-t", "snapshot").EnumerateArray().Select(item => item.GetProperty("name").GetString()!).Order(StringComparer.Ordinal).ToList();

    public string Guid(string subvolume, string snapshot) =>
        Json("list", "-t", "snapshot", subvolume).EnumerateArray().Single(item => item.GetProperty("snapshot").GetString() == snapshot).GetProperty("guid").GetString()!;

    /// <summary>SHA-256 of every snapshot image, by NAME@SNAP.</summary>
    public SortedDictionary<string, string> SnapshotChecksums()
    {
        var checksums = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var fullName in AllSnapshots())
        {
            var at = fullName.IndexOf('@', StringComparison.Ordinal);
            checksums[fullName] = Infrastructure.Data.Sha256(SnapshotImage(fullName[..at], fullName[(at + 1)..]));
        }

        return checksums;
    }

    /// <summary>check --json: exit code 0, consistent, and the kinds of its findings.</summary>
    public IReadOnlyList<string> CheckConsistent()
    {
        var result = Run("check", "--json");
        Assert.True(result.ExitCode == 0, $"the pool should be consistent: {result}");
        using var document = JsonDocument.Parse(result.Stdout);
        Assert.True(document.RootElement.GetProperty("consistent").GetBoolean(), result.ToString());
        return document.RootElement.GetProperty("findings").EnumerateArray().Select(finding => finding.GetProperty("kind").ToString()).ToList();
    }

    /// <summary>Free bytes of the pool's own filesystem (statfs f_bavail × f_frsize), after a sync.</summary>
    public long FreeBytes()
    {
        Tools.Run("sync", "-f", Path).ShouldSucceed();
        var fields = Tools.Run("stat", "-f", "-c", "%S %a", Path).ShouldSucceed().Stdout.Trim().Split(' ');
        return long.Parse(fields[0], CultureInfo.InvariantCulture) * long.Parse(fields[1], CultureInfo.InvariantCulture);
    }
}
