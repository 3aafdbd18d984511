namespace Subvol.Tests.Pools;

public sealed class PoolLocatorTests
{
    private static readonly KnownPool[] Two = [new("/srv/a", null), new("/srv/b", "/var/lib/b.img")];

    [Fact]
    public void ExplicitPoolWinsOverEverything()
    {
        Assert.Equal("/srv/x", PoolLocator.Resolve("/srv/x/", "/srv/y", Two));
    }

    [Fact]
    public void EnvironmentComesSecond()
    {
        Assert.Equal("/srv/y", PoolLocator.Resolve(null, "/srv/y", Two));
    }

    [Fact]
    public void TheDefaultPoolComesAfterTheEnvironmentAndBeforeTheOnlyKnownPool()
    {
        Assert.Equal("/srv/y", PoolLocator.Resolve(null, "/srv/y", Two, "/srv/a"));
        Assert.Equal("/srv/a", PoolLocator.Resolve(null, null, Two, "/srv/a/"));
        Assert.Equal("/srv/a", PoolLocator.Resolve(null, null, [Two[1]], "/srv/a"));
    }

    [Fact]
    public void TheOnlyKnownPoolIsTheDefault()
    {
        Assert.Equal("/srv/b", PoolLocator.Resolve(null, null, [Two[1]]));
    }

    [Fact]
    public void SeveralKnownPoolsAreAmbiguous()
    {
        var exception = Assert.Throws<SubvolException>(() => PoolLocator.Resolve(null, "", Two));
        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
        Assert.Contains("/srv/a", exception.Message);
        Assert.Contains("/srv/b", Assert.IsType<Remedy.ChoosePool>(exception.Remedy).KnownPools);
    }

    [Fact]
    public void NoKnownPoolSaysHowToMakeOne()
    {
        var exception = Assert.Throws<SubvolException>(() => PoolLocator.Resolve(null, null, []));
        Assert.Equal(SubvolErrorCode.NotFound, exception.Code);
        Assert.Contains(new Remedy.CreatePool(null), Assert.IsType<Remedy.AnyOf>(exception.Remedy).Choices);
    }
}
