namespace Subvol.Tests.Pools;

public sealed class PoolLayoutTests
{
    private static readonly PoolLayout Layout = new("/srv/pool");

    [Fact]
    public void ASnapshotImagePathReadsBackAsItsSubvolumeAndSnapshot()
    {
        Assert.Equal(("home", "before-upgrade"), Layout.SnapshotOfImage(Layout.SnapshotImage("home", "before-upgrade")));
    }

    [Theory]
    [InlineData("/srv/pool/subvolumes/home.img")]
    [InlineData("/srv/pool/snapshots/home/deeper/s.img")]
    [InlineData("/srv/pool/snapshots/home.img")]
    [InlineData("/srv/pool/snapshots/home/s.partial")]
    [InlineData("/srv/other/snapshots/home/s.img")]
    [InlineData("/srv/pool-2/snapshots/home/s.img")]
    public void NoOtherPathReadsAsASnapshotImage(string path)
    {
        Assert.Null(Layout.SnapshotOfImage(path));
    }

    [Fact]
    public void ImagesAreNamedWithTheSameFileNameInEitherDirectory()
    {
        Assert.Equal(Path.Combine(Layout.SubvolumesDirectory, PoolLayout.ImageFileName("home")), Layout.SubvolumeImage("home"));
        Assert.Equal(Path.Combine(Layout.SnapshotDirectory("home"), PoolLayout.ImageFileName("s")), Layout.SnapshotImage("home", "s"));
    }
}
