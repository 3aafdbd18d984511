namespace Subvol.Linux.Tests;

public sealed class MountInfoParserTests
{
    [Fact]
    public void ParsesLineWithOptionalFields()
    {
        var entry = MountInfoParser.Parse("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue");

        Assert.Equal(new MountEntry(36, "/dev/root", "/mnt2", "ext3", "rw,noatime", "rw,errors=continue"), entry);
    }

    [Fact]
    public void ParsesLineWithoutOptionalFields()
    {
        var entry = MountInfoParser.Parse("612 29 7:3 / /srv/pool rw,relatime - xfs /dev/loop3 rw,attr2,inode64,logbufs=8,noquota");

        Assert.Equal(new MountEntry(612, "/dev/loop3", "/srv/pool", "xfs", "rw,relatime", "rw,attr2,inode64,logbufs=8,noquota"), entry);
    }

    [Fact]
    public void UnescapesSpacesTabsNewlinesAndBackslashesInPaths()
    {
        var entry = MountInfoParser.Parse(@"40 29 7:1 / /mnt/my\040pool\011x\012y\134z rw - xfs /srv/a\040b.img rw");

        Assert.NotNull(entry);
        Assert.Equal("/mnt/my pool\tx\ny\\z", entry.Target);
        Assert.Equal("/srv/a b.img", entry.Source);
    }

    [Fact]
    public void DecodesEscapedBytesAsUtf8()
    {
        Assert.Equal("/mnt/é x", MountInfoParser.Unescape(@"/mnt/\303\251\040x"));
        Assert.Equal("/mnt/é", MountInfoParser.Unescape("/mnt/é"));
    }

    [Fact]
    public void LeavesIncompleteEscapeAlone()
    {
        Assert.Equal(@"/a\04", MountInfoParser.Unescape(@"/a\04"));
        Assert.Equal(@"/a\9xy", MountInfoParser.Unescape(@"/a\9xy"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 ext3 /dev/root rw")]
    [InlineData("x 35 98:0 /mnt1 /mnt2 rw - ext3 /dev/root rw")]
    public void RejectsMalformedLine(string line)
    {
        Assert.Null(MountInfoParser.Parse(line));
    }

    [Fact]
    public void ReadsThisProcessMountTable()
    {
        var root = Mounts.FindByTarget("/");

        Assert.NotNull(root);
        Assert.Equal("/", root.Target);
    }
}
