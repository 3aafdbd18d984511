namespace Subvol.Linux.Tests;

public sealed class FileLockTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-lock-");

    private string LockPath => Path.Combine(_directory.FullName, "lock");

    [Fact]
    public void ExclusiveLockMakesSecondTryAcquireFail()
    {
        using var held = FileLock.Acquire(LockPath, exclusive: true);

        Assert.Null(FileLock.TryAcquire(LockPath, exclusive: true));
        Assert.Null(FileLock.TryAcquire(LockPath, exclusive: false));
    }

    [Fact]
    public void SharedLocksCoexistButExcludeAnExclusiveOne()
    {
        using var first = FileLock.Acquire(LockPath, exclusive: false);
        using var second = FileLock.TryAcquire(LockPath, exclusive: false);

        Assert.NotNull(second);
        Assert.Null(FileLock.TryAcquire(LockPath, exclusive: true));
    }

    [Fact]
    public void DisposeReleasesTheLock()
    {
        FileLock.Acquire(LockPath, exclusive: true).Dispose();

        using var again = FileLock.TryAcquire(LockPath, exclusive: true);

        Assert.NotNull(again);
    }

    [Fact]
    public void AcquireCreatesAMissingLockFile()
    {
        using var held = FileLock.Acquire(LockPath, exclusive: true);

        Assert.True(File.Exists(LockPath));
    }

    public void Dispose() => _directory.Delete(recursive: true);
}
