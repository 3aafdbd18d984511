namespace Subvol.Tests.Pools;

/// <summary>A pool on a plain temporary directory: enough for every rule that needs no reflink, loop device or root.</summary>
internal sealed class TemporaryPool : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-test-");

    public TemporaryPool()
    {
        Pool = Pool.InitializeForTests(_directory.FullName);
    }

    public Pool Pool { get; }

    public string Root => _directory.FullName;

    public void Dispose()
    {
        Pool.Dispose();
        // Repair marks snapshot images immutable, and immutable files cannot be deleted.
        foreach (var file in Directory.EnumerateFiles(_directory.FullName, "*.img", SearchOption.AllDirectories))
        {
            if (Subvol.Linux.ImmutableAttribute.Get(file))
            {
                Subvol.Linux.ImmutableAttribute.Set(file, false);
            }
        }

        _directory.Delete(recursive: true);
    }
}
