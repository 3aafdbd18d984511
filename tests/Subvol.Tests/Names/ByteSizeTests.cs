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
    [InlineData("100B", 100L)]
    [InlineData("100b", 100L)]
    [InlineData("1kib", 1024L)]
    [InlineData("2KB", 2048L)]
    [InlineData("1.5G", 3L << 29)]
    [InlineData("1.5gib", 3L << 29)]
    [InlineData("1P", 1L << 50)]
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
    [InlineData("1.5")]
    [InlineData("1iB")]
    [InlineData("1BiB")]
    [InlineData("1GBB")]
    public void RefusesWhatIsNotASize(string text)
    {
        Assert.False(ByteSize.TryParse(text, out _));
        var exception = Assert.Throws<SubvolException>(() => ByteSize.Parse(text, "size"));
        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
    }

    [Fact]
    public void A_bare_number_below_the_minimum_says_it_was_read_as_bytes_and_how_to_write_gigabytes()
    {
        var exception = Assert.Throws<SubvolException>(() => ByteSize.Parse("100", "size", 300L << 20, "an xfs subvolume"));
        Assert.Equal(SubvolErrorCode.InvalidArgument, exception.Code);
        Assert.Equal("size '100' was read as 100 bytes; an xfs subvolume needs at least 300.0 MiB", exception.Message);
        Assert.Equal("write 100G for gigabytes (or 100M for megabytes)", Assert.IsType<Remedy.Advice>(exception.Remedy).Text);
    }

    [Fact]
    public void A_size_with_a_unit_below_the_minimum_says_what_it_was_read_as_and_the_least_to_write()
    {
        var exception = Assert.Throws<SubvolException>(() => ByteSize.Parse("1k", "size", 300L << 20, "an xfs subvolume"));
        Assert.Equal("size '1k' was read as 1.0 KiB (1024 bytes); an xfs subvolume needs at least 300.0 MiB", exception.Message);
        Assert.Equal("give at least 300M", Assert.IsType<Remedy.Advice>(exception.Remedy).Text);
    }

    [Fact]
    public void A_size_at_the_minimum_is_accepted()
    {
        Assert.Equal(300L << 20, ByteSize.Parse("300M", "size", 300L << 20, "an xfs subvolume"));
    }

    [Fact]
    public void A_fraction_without_a_unit_says_it_was_read_as_bytes()
    {
        var exception = Assert.Throws<SubvolException>(() => ByteSize.Parse("1.5", "size"));
        Assert.Equal("invalid size '1.5': it was read as 1.5 bytes, and bytes come whole", exception.Message);
        Assert.Equal("add a unit: 1.5G for gigabytes, 1.5M for megabytes", Assert.IsType<Remedy.Advice>(exception.Remedy).Text);
    }

    [Fact]
    public void An_unknown_unit_is_named()
    {
        var exception = Assert.Throws<SubvolException>(() => ByteSize.Parse("12X", "size"));
        Assert.Equal("invalid size '12X': 'X' is not a unit", exception.Message);
        Assert.Contains("a bare number is bytes", Assert.IsType<Remedy.Advice>(exception.Remedy).Text);
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
