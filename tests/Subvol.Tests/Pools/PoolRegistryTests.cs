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

    [Theory]
    [InlineData("srv/pool\t/images/pool.img", "has the pool path 'srv/pool', which is not an absolute path")]
    [InlineData("/srv/pool\timages/pool.img", "has the image 'images/pool.img', which is not an absolute path")]
    [InlineData("/srv/pool\t/images/pool.img\tgone", "ends in 'gone', where only 'exported' may follow the image")]
    [InlineData("/srv/pool\t/images/pool.img\texported\tmore", "has 4 fields separated by tabs")]
    [InlineData("/srv/p\u0000ol\t", "has a pool path '/srv/p\\x00ol' holding a control character")]
    [InlineData("/srv/live/\t/images/other.img", "lists pool /srv/live a second time")]
    public void ALineOfThePoolListThatIsNoEntryIsRefusedByItsNumberAndTheListIsLeftAsItWas(string line, string problem)
    {
        var registry = new PoolRegistry(_directory.FullName);
        registry.Add(new KnownPool("/srv/live", null));
        File.AppendAllText(registry.FilePath, "\n# a comment, and a blank line above\n" + line + "\n");
        var before = File.ReadAllText(registry.FilePath);

        var listing = Assert.Throws<SubvolException>(() => registry.List());
        var adding = Assert.Throws<SubvolException>(() => registry.Add(new KnownPool("/srv/new", null)));

        Assert.Equal(SubvolErrorCode.InvalidArgument, listing.Code);
        Assert.Contains($"line 5 of the machine's pool list {registry.FilePath} {problem}", listing.Message);
        Assert.Contains("correct or remove that line", Assert.IsType<Remedy.Advice>(listing.Remedy).Text);
        Assert.Equal(listing.Message, adding.Message);
        Assert.Equal(before, File.ReadAllText(registry.FilePath));
    }

    [Fact]
    public void APathWrittenByHandWithATrailingSlashIsThePoolItNames()
    {
        var registry = new PoolRegistry(_directory.FullName);
        File.WriteAllText(registry.FilePath, "/srv/pool/\t/images/pool.img\n/srv/away//\t\texported\n");

        Assert.Equal([new KnownPool("/srv/pool", "/images/pool.img"), new KnownPool("/srv/away", null, Exported: true)], registry.List());
        Assert.Equal("/images/pool.img", registry.Find("/srv/pool")!.Image);
    }

    [Theory]
    [InlineData("srv/pool\n")]
    [InlineData("/srv/pool\n/srv/other\n")]
    public void ADefaultPoolThatIsNotOneAbsolutePathIsRefusedAndCanBeCleared(string content)
    {
        var registry = new PoolRegistry(_directory.FullName);
        File.WriteAllText(registry.DefaultPoolFilePath, content);

        var exception = Assert.Throws<SubvolException>(() => registry.DefaultPool());

        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
        Assert.Contains(registry.DefaultPoolFilePath, exception.Message);
        Assert.Contains("subvol pool default --clear", Assert.IsType<Remedy.Advice>(exception.Remedy).Text);
        Assert.True(registry.ClearDefault());
        Assert.Null(registry.DefaultPool());
    }
}
