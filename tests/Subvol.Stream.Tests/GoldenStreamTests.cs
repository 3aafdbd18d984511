using System.Security.Cryptography;

namespace Subvol.Stream.Tests;

/// <summary>Committed version 1 and 2 streams must keep reading to the same records and the same images, whatever the code becomes.</summary>
public sealed class GoldenStreamTests
{
    public static TheoryData<string> Fixtures => [.. GoldenStreams.All];

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void A_committed_stream_reads_to_its_pinned_dump_and_image(string name)
    {
        var (dump, image) = Receive(name);

        Assert.Equal(File.ReadAllText(FixturePath(name + ".dump")), dump);
        Assert.Equal(File.ReadAllText(FixturePath(name + ".image.sha256")).Trim(), Convert.ToHexStringLower(SHA256.HashData(image)));
    }

    [Theory]
    [InlineData(GoldenStreams.Full)]
    [InlineData(GoldenStreams.Incremental)]
    [InlineData(GoldenStreams.EncryptedFull)]
    [InlineData(GoldenStreams.EncryptedIncremental)]
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
        foreach (var name in GoldenStreams.All)
        {
            Assert.InRange(new FileInfo(FixturePath(name + ".stream")).Length, 512, 16 * 1024);
        }

        var compressed = File.ReadAllBytes(FixturePath(GoldenStreams.Compressed + ".stream"));
        Assert.True(compressed.Length < 16384, "the 16 KiB compressible record should have been stored compressed");
    }

    [Fact]
    public void A_committed_version_2_stream_carries_its_wrapped_key_and_the_incremental_one_a_newer_key()
    {
        var full = ReadHeader(GoldenStreams.EncryptedFull);
        var incremental = ReadHeader(GoldenStreams.EncryptedIncremental);

        Assert.Equal(StreamHeader.EncryptedVersion, full.Version);
        Assert.True(full.IsEncrypted);
        Assert.Equal(96, full.WrappedKey!.Length);
        Assert.Equal(112, incremental.WrappedKey!.Length);
        Assert.False(full.WrappedKey.AsSpan().SequenceEqual(incremental.WrappedKey.AsSpan(0, 96)));
        Assert.False(ReadHeader(GoldenStreams.Full).IsEncrypted);
    }

    private static StreamHeader ReadHeader(string name)
    {
        using var reader = new ReplicationStreamReader(File.OpenRead(FixturePath(name + ".stream")));
        return reader.ReadHeader();
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
