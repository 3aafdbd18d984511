namespace Subvol.Stream.Tests;

/// <summary>The writer refuses to write what a reader would refuse, so a mistake shows up at the sender, not at the far end of a pipe.</summary>
public sealed class WriterTests
{
    [Fact]
    public void Records_must_ascend_and_stay_within_the_image()
    {
        using var writer = new ReplicationStreamWriter(new MemoryStream(), Samples.Header(imageSize: 16384));
        writer.WriteData(4096, new byte[100]);

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteData(4000, new byte[10]));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHole(4195, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHole(8192, 8193));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHole(8192, long.MaxValue));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHole(-1, 10));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteHole(8192, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteData(16380, new byte[5]));
        writer.WriteHole(4196, 12188);
        var summary = writer.Finish();

        Assert.Equal((1L, 1L, 0L, 100L), (summary.DataRecords, summary.HoleRecords, summary.SizeChanges, summary.DataBytes));
    }

    [Fact]
    public void Size_changes_must_be_sane()
    {
        using var writer = new ReplicationStreamWriter(new MemoryStream(), Samples.Header(imageSize: 16384));
        writer.WriteData(0, new byte[9000]);

        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteSizeChange(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteSizeChange(-4096));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteSizeChange(20000));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteSizeChange(8192));
        Assert.Throws<ArgumentOutOfRangeException>(() => writer.WriteSizeChange(1L << 56));
        Assert.Throws<ArgumentException>(() => writer.WriteSizeChange(16384));
        writer.WriteSizeChange(12288);
        Assert.Equal(12288, writer.CurrentSize);
    }

    public static TheoryData<string, StreamHeader> BadHeaders => new()
    {
        { "version 2 without a wrapped key", Samples.Header() with { Version = 2 } },
        { "version 1 with a wrapped key", Samples.Header() with { WrappedKey = [1, 2, 3] } },
        { "version 2 with an empty wrapped key", Samples.Header() with { Version = 2, WrappedKey = [] } },
        { "version 2 with a wrapped key over 4 KiB", Samples.Header() with { Version = 2, WrappedKey = new byte[4097] } },
        { "version 3", Samples.Header() with { Version = 3 } },
        { "size 0", Samples.Header(imageSize: 0) },
        { "size not a block multiple", Samples.Header(imageSize: 5000) },
        { "size 2^56", Samples.Header(imageSize: 1L << 56) },
        { "block 100", Samples.Header(blockSize: 100) },
        { "block 3072", Samples.Header(blockSize: 3072) },
        { "resume beyond size", Samples.Header(resumeOffset: 65537) },
        { "negative resume", Samples.Header(resumeOffset: -1) },
        { "empty base", Samples.Header(baseGuid: Guid.Empty) },
        { "base is target", Samples.Header(baseGuid: Samples.TargetGuid) },
        { "empty target", Samples.Header() with { TargetGuid = Guid.Empty } },
        { "btrfs", Samples.Header() with { FileSystemType = "btrfs" } },
        { "dot-dot", Samples.Header(subvolume: "..") },
        { "slash", Samples.Header(snapshot: "a/b") },
        { "newline", Samples.Header(snapshot: "a\nb") },
        { "empty", Samples.Header(subvolume: "") },
        { "too long", Samples.Header(subvolume: new string('é', 128)) },
        { "lone surrogate", Samples.Header(subvolume: "a\ud800") },
        { "unknown compression", Samples.Header(compression: (StreamCompression)7) },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Headers_a_reader_would_refuse_are_refused(string why, StreamHeader header)
    {
        var output = new MemoryStream();

        Assert.ThrowsAny<ArgumentException>(() => new ReplicationStreamWriter(output, header));
        Assert.True(output.Length == 0, why);
    }

    [Fact]
    public void A_255_byte_name_is_the_longest_allowed()
    {
        var stream = Samples.Write(Samples.Header(subvolume: new string('x', 255), snapshot: new string('é', 127)), _ => { });
        var sink = new ImageSink();
        Samples.Read(stream, sink);

        Assert.Equal(new string('x', 255), sink.Header!.SubvolumeName);
    }

    [Fact]
    public void Nothing_can_be_written_after_finish_or_dispose()
    {
        var writer = new ReplicationStreamWriter(new MemoryStream(), Samples.Header());
        writer.Finish();

        Assert.Throws<InvalidOperationException>(() => writer.WriteHole(0, 4096));
        Assert.Throws<InvalidOperationException>(() => writer.Finish());
        writer.Dispose();
        Assert.Throws<ObjectDisposedException>(() => writer.WriteSizeChange(8192));
    }

    [Fact]
    public void An_unfinished_stream_is_refused_as_truncated()
    {
        var output = new MemoryStream();
        using (var writer = new ReplicationStreamWriter(output, Samples.Header()))
        {
            writer.WriteData(0, new byte[10]);
            writer.Flush();
        }

        Assert.Equal(StreamFormatError.Truncated, Samples.Refuse(output.ToArray()).Error);
    }

    [Fact]
    public void The_header_is_returned_as_a_reader_will_see_it()
    {
        var local = new DateTimeOffset(2025, 6, 1, 14, 0, 0, TimeSpan.FromHours(2)).AddTicks(12345);
        using var writer = new ReplicationStreamWriter(new MemoryStream(), Samples.Header() with { CreatedAt = local });

        Assert.Equal(TimeSpan.Zero, writer.Header.CreatedAt.Offset);
        Assert.Equal(local.AddTicks(-5), writer.Header.CreatedAt);
    }

    [Fact]
    public void Bytes_written_counts_every_byte_including_the_header()
    {
        var output = new MemoryStream();
        using var writer = new ReplicationStreamWriter(output, Samples.Header());
        Assert.Equal(output.Length, writer.BytesWritten);
        writer.WriteData(0, new byte[3000]);
        writer.Finish();

        Assert.Equal(output.Length, writer.BytesWritten);
        Assert.Equal(99 + 24 + 3000 + 8 + 96, output.Length);
    }

    [Fact]
    public void A_failed_output_write_stops_the_stream()
    {
        var output = new FailingStream();
        using var writer = new ReplicationStreamWriter(output, Samples.Header());
        output.Fail = true;
        writer.WriteHole(0, 4096);

        Assert.Throws<IOException>(() => writer.Flush());
        output.Fail = false;
        Assert.Throws<InvalidOperationException>(() => writer.WriteHole(4096, 4096));
        Assert.Throws<InvalidOperationException>(() => writer.Finish());
    }

    [Theory]
    [InlineData(StreamCompression.None, 0)]
    [InlineData(StreamCompression.None, 1_500_000)]
    [InlineData(StreamCompression.Zstd, 0)]
    [InlineData(StreamCompression.Zstd, 1_500_000)]
    public void Data_filled_in_place_makes_the_same_stream_as_data_given_as_bytes(StreamCompression compression, long resumeOffset)
    {
        var data = new byte[5 << 20];
        new SplitMix64(3).FillCompressible(data);
        var header = Samples.Header(imageSize: 8 << 20, compression: compression, resumeOffset: resumeOffset);

        byte[] Stream(bool inPlace) => Samples.Write(header, writer =>
        {
            // Pieces of several sizes, the largest a whole record, so that records straddle and fill the writer's batches.
            var sizes = new[] { 65536, 1 << 20, 4096, 300_000 };
            for (int offset = 0, piece = 0; offset < data.Length; piece++)
            {
                var length = Math.Min(sizes[piece % sizes.Length], data.Length - offset);
                var at = offset;
                if (inPlace)
                {
                    writer.WriteData(at, length, place => data.AsSpan(at, length).CopyTo(place));
                }
                else
                {
                    writer.WriteData(at, data.AsSpan(at, length));
                }

                offset += length;
            }
        });

        var filled = Stream(inPlace: true);
        Assert.Equal(Stream(inPlace: false), filled);
        var sink = new ImageSink();
        Samples.Read(filled, sink);
        Assert.Empty(sink.Violations);
        Assert.Equal(data.AsSpan((int)resumeOffset).ToArray(), sink.Image!.AsSpan((int)resumeOffset, data.Length - (int)resumeOffset).ToArray());
    }

    [Fact]
    public void A_fill_that_fails_writes_nothing_of_its_record()
    {
        var stream = Samples.Write(Samples.Header(), writer =>
        {
            Assert.Throws<IOException>(() => writer.WriteData(0, 4096, _ => throw new IOException("the image could not be read")));
            writer.WriteData(0, 4096, place => place.Fill(7));
        });

        var sink = new ImageSink();
        var summary = Samples.Read(stream, sink);
        Assert.Equal(1, summary.DataRecords);
        Assert.Equal(Enumerable.Repeat((byte)7, 4096), sink.Image!.Take(4096));
    }

    [Fact]
    public void Records_go_out_in_writes_of_more_than_a_mebibyte_but_for_the_last()
    {
        var output = new RecordingStream();
        using var writer = new ReplicationStreamWriter(output, Samples.Header(imageSize: 64 << 20));
        writer.Flush();
        output.Sizes.Clear();
        for (var offset = 0; offset < 40 << 20; offset += 65536)
        {
            writer.WriteData(offset, 65536, place => place.Fill(1));
        }

        writer.Finish();

        // More than a mebibyte, so that a buffered output such as a pipe's passes each write through instead of copying it.
        Assert.True(output.Sizes.Count > 2);
        Assert.All(output.Sizes[..^2], size => Assert.True(size > 1 << 20, $"a write of {size} bytes"));
    }

    private sealed class RecordingStream : MemoryStream
    {
        public List<int> Sizes { get; } = [];

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            Sizes.Add(buffer.Length);
            base.Write(buffer);
        }
    }

    private sealed class FailingStream : MemoryStream
    {
        public bool Fail { get; set; }

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (Fail)
            {
                throw new IOException("the pipe broke");
            }

            base.Write(buffer);
        }
    }
}
