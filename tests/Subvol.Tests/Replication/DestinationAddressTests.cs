using Subvol.Replication;

namespace Subvol.Tests.Replication;

public sealed class DestinationAddressTests
{
    [Fact]
    public void APathIsALocalPool()
    {
        var address = DestinationAddress.Parse("/srv/backup/");
        Assert.False(address.IsRemote);
        Assert.Equal("/srv/backup", address.Pool);
    }

    [Theory]
    [InlineData("ssh://nas/srv/pool", null, "nas", null, "/srv/pool")]
    [InlineData("ssh://backup@nas.lan:2222/srv/pool", "backup", "nas.lan", 2222, "/srv/pool")]
    [InlineData("ssh://root@[::1]:22/p", "root", "[::1]", 22, "/p")]
    public void SshAddressesNameUserHostPortAndPool(string text, string? user, string host, int? port, string pool)
    {
        Assert.Equal(new DestinationAddress(pool, host, user, port), DestinationAddress.Parse(text));
    }

    [Theory]
    [InlineData("ssh://nas")]
    [InlineData("ssh://nas/")]
    [InlineData("ssh://-oProxyCommand=evil/srv/pool")]
    [InlineData("ssh://-x@nas/srv/pool")]
    [InlineData("ssh://nas:99999/srv/pool")]
    [InlineData("ssh://na s/srv/pool")]
    [InlineData("http://nas/srv/pool")]
    public void MalformedOrHostileAddressesAreRefused(string text)
    {
        Assert.Equal(SubvolErrorCode.InvalidArgument, Assert.Throws<SubvolException>(() => DestinationAddress.Parse(text)).Code);
    }
}
