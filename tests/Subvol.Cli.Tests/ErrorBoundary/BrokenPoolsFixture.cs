using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ErrorBoundary;

/// <summary>
/// A healthy file-backed pool holding a@s and a stream of it, and beside it the broken states every
/// verb is tried against: a pool whose pool.db is garbage, a pool path that does not exist, and the
/// healthy pool seen through a read-only bind mount. Dispose removes the bind mount before the pool's
/// own clean-up, which asserts that nothing is left mounted.
/// </summary>
public sealed class BrokenPoolsFixture : IDisposable
{
    private readonly PoolFixture _healthy = new();
    private bool _bound;
    private string _registry = "";
    private byte[] _intactDatabase = [];

    public BrokenPoolsFixture()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            return;
        }

        try
        {
            _healthy.Create("a", "320M");
            _healthy.Run("snapshot", "a@s").ShouldSucceed();
            var scratch = _healthy.NewDirectory("error-boundary");
            Stream = Path.Combine(scratch, "a.stream");
            _healthy.Run("send", "a@s", "-o", Stream).ShouldSucceed();
            GarbageStream = Path.Combine(scratch, "garbage.stream");
            File.WriteAllBytes(GarbageStream, Garbage(64 * 1024));

            // With response files on, "@FILE" would run these words; they would then succeed, which the tests refuse.
            ResponseFile = Path.Combine(scratch, "response");
            File.WriteAllText(ResponseFile, "a@from-a-response-file\n");

            Damaged = Path.Combine(_healthy.Root, "damaged-pool");
            foreach (var directory in new[] { ".subvol/freezes", "subvolumes", "snapshots", "incoming", "mounts" })
            {
                Directory.CreateDirectory(Path.Combine(Damaged, directory));
            }

            _intactDatabase = File.ReadAllBytes(Path.Combine(_healthy.PoolPath, ".subvol", "pool.db"));
            Damage();
            Missing = Path.Combine(_healthy.Root, "missing-pool");
            ReadOnly = Path.Combine(_healthy.Root, "read-only-pool");
            Directory.CreateDirectory(ReadOnly);
            Tools.Run("mount", "--bind", _healthy.PoolPath, ReadOnly).ShouldSucceed();
            _bound = true;
            Tools.Run("mount", "-o", "remount,bind,ro", ReadOnly).ShouldSucceed();
            _registry = File.ReadAllText(RegistryPath);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public PoolFixture Healthy => _healthy;

    /// <summary>A pool directory whose .subvol/pool.db is not a database.</summary>
    public string Damaged { get; } = "";

    /// <summary>A pool path with nothing there.</summary>
    public string Missing { get; } = "";

    /// <summary>The healthy pool through a read-only bind mount: every write meets EROFS.</summary>
    public string ReadOnly { get; } = "";

    /// <summary>A full stream of a@s.</summary>
    public string Stream { get; } = "";

    public string GarbageStream { get; } = "";

    public string ResponseFile { get; } = "";

    /// <summary>
    /// Damages the damaged pool's database again, in case a verb (check --repair) rebuilt it: garbage,
    /// an empty file, or the healthy pool's database cut in half.
    /// </summary>
    public void Damage(string kind = "garbage")
    {
        var database = Path.Combine(Damaged, ".subvol", "pool.db");
        File.Delete(database + "-wal");
        File.Delete(database + "-shm");
        File.WriteAllBytes(database, kind switch
        {
            "garbage" => Garbage(16 * 1024),
            "empty" => [],
            "truncated" => _intactDatabase[..(_intactDatabase.Length / 2)],
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "garbage, empty or truncated"),
        });
    }

    /// <summary>Puts the machine's pool list back as it was, so that a pool import in one case does not change the next.</summary>
    public void ForgetImportedPools() => File.WriteAllText(RegistryPath, _registry);

    private string RegistryPath => Path.Combine(_healthy.ConfigurationDirectory, "pools");

    public void Dispose()
    {
        try
        {
            if (_bound && Tools.Run("umount", ReadOnly).ExitCode != 0)
            {
                Tools.Run("umount", "-l", ReadOnly);
            }
        }
        finally
        {
            _healthy.Dispose();
        }
    }

    /// <summary>Bytes that are no file format: a fixed sequence, so that a failure can be reproduced.</summary>
    private static byte[] Garbage(int length) => Enumerable.Range(0, length).Select(index => (byte)(index * 131 + 17 ^ index >> 8)).ToArray();
}
