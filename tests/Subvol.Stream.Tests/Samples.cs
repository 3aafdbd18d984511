namespace Subvol.Stream.Tests;

/// <summary>Headers and helpers shared by the tests: fixed values, so that every stream they build is reproducible.</summary>
internal static class Samples
{
    public static readonly Guid TargetGuid = new("5f2c9a4e-1b7d-4c3e-9a61-0d8e7f6b5a43");

    public static readonly Guid BaseGuid = new("0b9d8c7a-6e5f-4a3b-8c2d-1e0f9a8b7c6d");

    public static readonly DateTimeOffset CreatedAt = new(2025, 11, 28, 12, 0, 0, TimeSpan.Zero);

    public static StreamHeader Header(
        long imageSize = 65536,
        int blockSize = 4096,
        Guid? baseGuid = null,
        StreamCompression compression = StreamCompression.None,
        long resumeOffset = 0,
        string subvolume = "home",
        string snapshot = "daily-1") =>
        new(StreamHeader.CurrentVersion, imageSize, blockSize, TargetGuid, baseGuid, "xfs", subvolume, snapshot, CreatedAt, resumeOffset, compression);

    public static byte[] Write(StreamHeader header, Action<ReplicationStreamWriter> records)
    {
        var output = new MemoryStream();
        using (var writer = new ReplicationStreamWriter(output, header))
        {
            records(writer);
            writer.Finish();
            Assert.Equal(output.Length, writer.BytesWritten);
        }

        return output.ToArray();
    }

    public static StreamSummary Read(byte[] stream, IStreamSink sink)
    {
        using var reader = new ReplicationStreamReader(new MemoryStream(stream, writable: false));
        return reader.ReadRecords(sink);
    }

    /// <summary>Reads a stream that must be refused, and returns why.</summary>
    public static StreamFormatException Refuse(byte[] stream, IStreamSink? sink = null)
    {
        var images = sink as ImageSink;
        sink ??= images = new ImageSink();
        var exception = Assert.Throws<StreamFormatException>(() => Read(stream, sink));
        if (images is not null)
        {
            Assert.Empty(images.Violations);
            Assert.False(images.Ended);
        }

        return exception;
    }

    /// <summary>A stream with every record kind, compressed and raw data, a few KiB long: the subject of the corruption tests.</summary>
    public static byte[] Mixed()
    {
        var random = new SplitMix64(7);
        var raw = new byte[2000];
        var compressible = new byte[6000];
        random.Fill(raw);
        random.FillCompressible(compressible);
        return Write(Header(imageSize: 16384, blockSize: 512, baseGuid: BaseGuid, compression: StreamCompression.Zstd), writer =>
        {
            writer.WriteData(0, raw);
            writer.WriteHole(2048, 512);
            writer.WriteData(4096, compressible);
            writer.WriteSizeChange(32768);
            writer.WriteData(20000, raw.AsSpan(0, 1000));
            writer.WriteHole(30000, 2768);
        });
    }
}
