namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class CopyOnWriteExtentSizeTests(XfsPoolFixture pool)
{
    [RootFact]
    public void AFileTakesTheHintItIsGiven()
    {
        var path = Path.Combine(pool.NewDirectory(), "received.img");
        File.WriteAllBytes(path, new byte[65536]);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);
        Assert.Equal(0u, CopyOnWriteExtentSize.Get(file, path));

        CopyOnWriteExtentSize.Set(file, path, 4096);

        Assert.Equal(4096u, CopyOnWriteExtentSize.Get(file, path));
        Assert.Equal(65536, RandomAccess.GetLength(file));
        var output = Tools.Run("xfs_io", "-r", "-c", "cowextsize", path);
        Assert.Equal($"[4096] {path}", output.StandardOutput.Trim());
    }

    [RootFact]
    public void AHintOffTheBlockSizeIsRefusedNamingTheCallAndThePath()
    {
        var path = Path.Combine(pool.NewDirectory(), "odd.img");
        File.WriteAllBytes(path, new byte[4096]);
        using var file = File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite);

        var refused = Assert.Throws<SystemCallException>(() => CopyOnWriteExtentSize.Set(file, path, 1000));

        Assert.Contains("FS_IOC_FSSETXATTR", refused.Message);
        Assert.Contains(path, refused.Message);
        Assert.Equal(0u, CopyOnWriteExtentSize.Get(file, path));
    }
}
