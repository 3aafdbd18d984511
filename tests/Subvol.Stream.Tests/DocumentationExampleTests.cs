namespace Subvol.Stream.Tests;

/// <summary>Keeps the worked example in docs/stream-format.md true: these are the bytes it annotates.</summary>
public sealed class DocumentationExampleTests
{
    private const string Hex =
        "895356530d0a1a0a01000000000000000020000000000000001000000123456789abcdef0123456789abcdef" +
        "000000000000000000000000000000000101010000600cba992a0600000000000000000061732481203531d3fe86" +
        "01000000050000000000000000000000050000000000000068656c6c6f422ae6def04976fd" +
        "020000000000000000100000000000000010000000000000e110b3889c4a6fce" +
        "040000004000000000000000000000000000000000000000" +
        "01000000000000000100000000000000000000000000000005000000000000" +
        "00b1af71ac475f056532c86ad4fc180888eae2a6305972e29311fae07c72812d09" +
        "0b7e4bdd4f567f51";

    [Fact]
    public void The_worked_example_is_what_the_writer_writes()
    {
        Assert.Equal(Hex, Convert.ToHexStringLower(TinyStream.Bytes()));
    }

    [Fact]
    public void The_worked_example_reads_back_to_its_header_and_records()
    {
        var sink = new ImageSink();
        var summary = Samples.Read(Convert.FromHexString(Hex), sink);

        Assert.Equal(TinyStream.Header, sink.Header);
        Assert.Equal(["begin", "data 0 5", "hole 4096 4096", "end"], sink.Calls);
        Assert.Equal("hello"u8.ToArray(), sink.Image.AsSpan(0, 5).ToArray());
        Assert.Equal(255, Hex.Length / 2);
        Assert.Equal("b1af71ac475f056532c86ad4fc180888eae2a6305972e29311fae07c72812d09", summary.DigestHex);
    }
}
