namespace Subvol.Tests.Names;

public sealed class SnapshotReferenceTests
{
    [Fact]
    public void ParsesNameAtSnapshot()
    {
        Assert.Equal(new SnapshotReference("home", "daily"), SnapshotReference.Parse("home@daily"));
    }

    [Fact]
    public void SplitLeavesTheSnapshotOutWhenAbsent()
    {
        Assert.Equal(("home", (string?)null), SnapshotReference.Split("home"));
    }

    [Theory]
    [InlineData("home")]
    [InlineData("home@")]
    [InlineData("@snap")]
    [InlineData("home@../x")]
    [InlineData("home@a@b")]
    public void RefusesMalformedReferences(string text)
    {
        var exception = Assert.Throws<SubvolException>(() => SnapshotReference.Parse(text));
        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
    }
}
