namespace Subvol.Tests.Pools;

/// <summary>Whether a path holds a pool is the engine's answer, from the pool's layout.</summary>
public sealed class PoolExistsTests : IDisposable
{
    private readonly TemporaryPool _pool = new();
    private readonly DirectoryInfo _empty = Directory.CreateTempSubdirectory("subvol-test-");

    public void Dispose()
    {
        _pool.Dispose();
        _empty.Delete(recursive: true);
    }

    [Fact]
    public void APoolExistsWhereItsMetadataIs()
    {
        Assert.True(Pool.Exists(_pool.Root));
        Assert.True(Pool.Exists(_pool.Root + "/"));
    }

    [Fact]
    public void ADirectoryWithoutMetadataIsNoPool()
    {
        Assert.False(Pool.Exists(_empty.FullName));
        Assert.False(Pool.Exists(Path.Combine(_empty.FullName, "missing")));
    }

    [Fact]
    public void APoolWhoseDatabaseIsGoneIsNotThereToServe()
    {
        Directory.CreateDirectory(Path.Combine(_empty.FullName, ".subvol"));

        Assert.False(Pool.Exists(_empty.FullName));
    }
}
