namespace Subvol.Tests.Pools;

public sealed class PoolRegistryTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-test-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void RemembersPoolsAndTheirImagesAcrossInstances()
    {
        new PoolRegistry(_directory.FullName).Add(new KnownPool("/srv/pool", "/var/lib/subvol/pool.img"));
        new PoolRegistry(_directory.FullName).Add(new KnownPool("/srv/other", null));

        var pools = new PoolRegistry(_directory.FullName).List();

        Assert.Equal([new KnownPool("/srv/other", null), new KnownPool("/srv/pool", "/var/lib/subvol/pool.img")], pools);
    }

    [Fact]
    public void AddingAKnownPathReplacesItsEntry()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/pool", null));
        registry.Add(new KnownPool("/srv/pool", "/images/pool.img"));
        Assert.Equal([new KnownPool("/srv/pool", "/images/pool.img")], registry.List());
    }

    [Fact]
    public void RemoveSaysWhetherThePoolWasKnown()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/pool", null));
        Assert.True(registry.Remove("/srv/pool/"));
        Assert.False(registry.Remove("/srv/pool"));
        Assert.Empty(registry.List());
    }

    [Fact]
    public void AnExportedPoolKeepsItsImageButIsNoLongerChosenByDefault()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/pool", "/images/pool.img", Exported: true));
        registry.Add(new KnownPool("/srv/live", null));

        Assert.Equal("/images/pool.img", registry.Find("/srv/pool")!.Image);
        Assert.Equal("exported", registry.Find("/srv/pool")!.State);
        Assert.Equal(["/srv/live"], registry.Imported().Select(pool => pool.Path));
    }
}
