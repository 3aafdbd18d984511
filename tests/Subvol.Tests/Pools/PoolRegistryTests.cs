using System.Runtime.Versioning;

namespace Subvol.Tests.Pools;

[SupportedOSPlatform("linux")]
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
    public void ThePoolListAndTheDefaultPoolAreReadableByTheirOwnerAlone()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/pool", "/var/lib/subvol/pool.img"));
        registry.SetDefault("/srv/pool");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(registry.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(registry.DefaultPoolFilePath));
        Assert.Equal("/srv/pool", new PoolRegistry(_directory.FullName).DefaultPool());
        Assert.Single(new PoolRegistry(_directory.FullName).List());
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

    [Fact]
    public void ForgetRemovesThePoolAndReturnsWhatWasKnown()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/pool", "/images/pool.img"));
        registry.Add(new KnownPool("/srv/other", null));

        Assert.Equal(new KnownPool("/srv/pool", "/images/pool.img"), registry.Forget("/srv/pool/"));
        Assert.Equal([new KnownPool("/srv/other", null)], registry.List());
    }

    [Fact]
    public void ForgettingAnUnknownPoolIsNotFoundAndNamesTheList()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/other", null));

        var exception = Assert.Throws<SubvolException>(() => registry.Forget("/srv/pool"));

        Assert.Equal(SubvolErrorCode.NotFound, exception.Code);
        Assert.Contains("/srv/pool", exception.Message);
        Assert.Contains(registry.FilePath, exception.Message);
        Assert.Single(registry.List());
    }

    [Fact]
    public void TheDefaultPoolIsRememberedAcrossInstancesAndCleared()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/pool", null));
        Assert.Null(registry.DefaultPool());

        Assert.Equal("/srv/pool", registry.SetDefault("/srv/pool/"));
        Assert.Equal("/srv/pool", new PoolRegistry(_directory.FullName).DefaultPool());

        Assert.True(registry.ClearDefault());
        Assert.Null(registry.DefaultPool());
        Assert.False(registry.ClearDefault());
    }

    [Fact]
    public void OnlyAnImportedKnownPoolCanBeTheDefault()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/away", "/images/away.img", Exported: true));

        Assert.Equal(SubvolErrorCode.NotFound, Assert.Throws<SubvolException>(() => registry.SetDefault("/srv/unknown")).Code);
        Assert.Equal(SubvolErrorCode.InvalidArgument, Assert.Throws<SubvolException>(() => registry.SetDefault("/srv/away")).Code);
        Assert.Null(registry.DefaultPool());
    }

    [Fact]
    public void ForgettingTheDefaultPoolClearsTheDefault()
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/pool", null));
        registry.Add(new KnownPool("/srv/other", null));
        registry.SetDefault("/srv/pool");

        registry.Forget("/srv/other");
        Assert.Equal("/srv/pool", registry.DefaultPool());

        registry.Forget("/srv/pool");
        Assert.Null(registry.DefaultPool());
    }
}
