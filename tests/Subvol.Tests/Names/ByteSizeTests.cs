namespace Subvol.Tests.Names;

public sealed class ByteSizeTests
{
    [Theory]
    [InlineData("4096", 4096L)]
    [InlineData("1K", 1024L)]
    [InlineData("512M", 512L << 20)]
    [InlineData("512MiB", 512L << 20)]
    [InlineData("10G", 10L << 30)]
    [InlineData("10g", 10L << 30)]
    [InlineData("10GB", 10L << 30)]
    [InlineData("1.5T", 3L << 39)]
    [InlineData(" 2E ", 2L << 60)]
    public void ParsesBinaryUnits(string text, long expected)
    {
        Assert.True(ByteSize.TryParse(text, out var bytes));
        Assert.Equal(expected, bytes);
    }

    [Theory]
    [InlineData("")]
    [InlineData("G")]
    [InlineData("-1G")]
    [InlineData("0")]
    [InlineData("12X")]
    [InlineData("1.2.3G")]
    [InlineData("9E")]
    [InlineData("ten")]
    public void RefusesWhatIsNotASize(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _));
        var exception = Assert.Throws<SubvolException>(() => ByteSize.Parse(text, "size"));
        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
    }

    [Theory]
    [InlineData(0L, "0 B")]
    [InlineData(1023L, "1023 B")]
    [InlineData(1024L, "1.0 KiB")]
    [InlineData(3L << 29, "1.5 GiB")]
    public void FormatsInTheLargestFittingUnit(long bytes, string expected)
    {
        Assert.Equal(expected, ByteSize.Format(bytes));
    }
}
