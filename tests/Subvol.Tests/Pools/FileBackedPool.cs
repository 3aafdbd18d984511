namespace Subvol.Tests.Pools;

/// <summary>
/// A file-backed pool of 4 GiB (sparse) under a temporary directory named subvol-test-*: XFS with
/// reflink on a loop device, for the rules that snapshot and clone. Dispose exports it, which unmounts
/// and detaches everything, and then the shared clean-up asserts that nothing of the directory survived.
/// </summary>
public sealed class FileBackedPool : IDisposable
{
    public const long Size = 4L << 30;

    private readonly DirectoryInfo? _directory;
    private readonly Pool? _pool;

    public FileBackedPool()
    {
        if (!Capabilities.CanUseLoopDevices)
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

    public Pool Pool => _pool ?? throw new InvalidOperationException(Capabilities.SkipReason);

    private string PoolPath => Path.Combine(_directory!.FullName, "pool");

    private PoolRegistry Registry => new(Path.Combine(_directory!.FullName, "config"));

    public void Dispose()
    {
        if (_directory is null)
        {
            return;
        }

        var cleanUp = new DirectoryCleanUp(_directory.FullName);
        cleanUp.Attempt("closing the pool", () => _pool?.Dispose());
        cleanUp.Attempt("exporting the pool", () =>
        {
            if (Pool.Exists(PoolPath))
            {
                Pool.Export(PoolPath, Registry);
            }
        });
        cleanUp.WaitUntilReleased();
        cleanUp.ReleaseLeftovers();
        cleanUp.DeleteDirectory();
        cleanUp.AssertNothingLeft();
    }
}
