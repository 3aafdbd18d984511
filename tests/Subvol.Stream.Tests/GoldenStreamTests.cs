using System.Security.Cryptography;

namespace Subvol.Stream.Tests;

/// <summary>Committed version 1 streams must keep reading to the same records and the same images, whatever the code becomes.</summary>
public sealed class GoldenStreamTests
{
    public static TheoryData<string> Fixtures => [GoldenStreams.Full, GoldenStreams.Incremental, GoldenStreams.Compressed];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_committed_version_1_stream_reads_to_its_pinned_dump_and_image(string name)
    {
        var (dump, image) = Receive(name);

        Assert.Equal(File.ReadAllText(FixturePath(name + ".dump")), dump);
        Assert.Equal(File.ReadAllText(FixturePath(name + ".image.sha256")).Trim(), Convert.ToHexStringLower(SHA256.HashData(image)));
    }

    [Theory]
    [InlineData(GoldenStreams.Full)]
    [InlineData(GoldenStreams.Incremental)]
    public void The_writer_still_writes_the_uncompressed_fixtures_byte_for_byte(string name)
    {
        // Compressed bytes depend on the zstd library's version, which the format does not pin, so only raw fixtures are compared.
        Assert.Equal(File.ReadAllBytes(FixturePath(name + ".stream")), GoldenStreams.Generate(name));
    }

    [Fact]
    public void The_writer_still_writes_a_compressed_stream_that_rebuilds_the_compressed_fixture_image()
    {
        var image = new ImageSink();
        Samples.Read(GoldenStreams.Generate(GoldenStreams.Compressed), image);

        Assert.Equal(File.ReadAllText(FixturePath(GoldenStreams.Compressed + ".image.sha256")).Trim(), Convert.ToHexStringLower(SHA256.HashData(image.Image!)));
    }

    [Fact]
    public void The_fixtures_are_small_and_the_compressed_one_holds_compressed_records()
    {
        foreach (var name in new[] { GoldenStreams.Full, GoldenStreams.Incremental, GoldenStreams.Compressed })
        {
            Assert.InRange(new FileInfo(FixturePath(name + ".stream")).Length, 512, 16 * 1024);
        }

        var compressed = File.ReadAllBytes(FixturePath(GoldenStreams.Compressed + ".stream"));
        Assert.True(compressed.Length < 16384, "the 16 KiB compressible record should have been stored compressed");
    }

    /// <summary>Reads a committed fixture, starting from the image its base fixture rebuilds.</summary>
    internal static (string Dump, byte[] Image) Receive(string name)
    {
        var start = GoldenStreams.BaseOf(name) is { } baseName ? Receive(baseName).Image : null;
        var text = new StringWriter();
        var image = new ImageSink(start);
        Samples.Read(File.ReadAllBytes(FixturePath(name + ".stream")), new TeeSink(new DumpSink(text, json: false), image));
        Assert.Empty(image.Violations);
        return (text.ToString(), image.Image!);
    }

    private static string FixturePath(string file) => Path.Combine(GoldenStreams.OutputFolder, file);
}
