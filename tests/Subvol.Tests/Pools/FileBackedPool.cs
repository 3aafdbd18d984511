namespace Subvol.Tests.Pools;

/// <summary>
/// A file-backed pool of 4 GiB (sparse) under a temporary directory named subvol-test-*: XFS with
/// reflink on a loop device, for the rules that snapshot and clone. Dispose exports it, which unmounts
/// and detaches everything, and then asserts that no mount and no loop device of the directory survived.
/// </summary>
public sealed class FileBackedPool : IDisposable
{
    public const long Size = 4L << 30;

    private readonly DirectoryInfo? _directory;
    private readonly Pool? _pool;

    public FileBackedPool()
    {
        if (!RootFactAttribute.CanRun)
        {
            return;
        }

        _directory = Directory.CreateTempSubdirectory("subvol-test-");
        try
        {
            Pool.Create(PoolPath, Path.Combine(_directory.FullName, "pool.img"), Size, Registry, sparse: true);
            _pool = Pool.Open(PoolPath);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public Pool Pool => _pool ?? throw new InvalidOperationException(RootFactAttribute.SkipReason);

    private string PoolPath => Path.Combine(_directory!.FullName, "pool");

    private PoolRegistry Registry => new(Path.Combine(_directory!.FullName, "config"));

    public void Dispose()
    {
        if (_directory is null)
        {
            return;
        }

        _pool?.Dispose();
        if (Pool.Exists(PoolPath))
        {
            Pool.Export(PoolPath, Registry);
        }

        var root = _directory.FullName;
        var mounts = File.ReadAllLines("/proc/self/mountinfo").Where(line => line.Contains(root, StringComparison.Ordinal)).ToList();
        var loops = Directory.EnumerateDirectories("/sys/block", "loop*")
            .Select(device => Path.Combine(device, "loop", "backing_file"))
            .Where(file => File.Exists(file) && File.ReadAllText(file).StartsWith(root, StringComparison.Ordinal))
            .ToList();
        if (mounts.Count == 0 && loops.Count == 0)
        {
            _directory.Delete(recursive: true);
        }

        Assert.True(mounts.Count == 0 && loops.Count == 0, $"left behind under {root}:\n{string.Join('\n', mounts.Concat(loops))}");
    }
}
