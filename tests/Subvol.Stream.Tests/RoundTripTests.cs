using System.Security.Cryptography;

namespace Subvol.Stream.Tests;

public sealed class RoundTripTests
{
    [Fact]
    public void Full_stream_rebuilds_the_image_and_returns_the_header_it_was_given()
    {
        var image = new byte[65536];
        new SplitMix64(1).Fill(image);
        var stream = Samples.Write(Samples.Header(), writer => writer.WriteData(0, image));

        var sink = new ImageSink();
        var summary = Samples.Read(stream, sink);

        Assert.Equal(Samples.Header(), sink.Header);
        Assert.Equal(image, sink.Image);
        Assert.Equal(new StreamSummary(1, 0, 0, 65536, SHA256.HashData(stream.AsSpan(0, stream.Length - 40))), summary);
        Assert.Equal(summary, sink.Summary);
        Assert.Empty(sink.Violations);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(4096)]
    public void A_version_2_stream_returns_its_wrapped_key_and_rebuilds_the_image_like_version_1(int keyLength)
    {
        var image = new byte[65536];
        new SplitMix64(2).Fill(image);
        var wrappedKey = new byte[keyLength];
        new SplitMix64(3).Fill(wrappedKey);
        var header = Samples.Header() with { Version = StreamHeader.EncryptedVersion, FileSystemType = "ext4", WrappedKey = wrappedKey };
        var stream = Samples.Write(header, writer => writer.WriteData(0, image));

        var sink = new ImageSink();
        Samples.Read(stream, sink);

        Assert.Equal(header, sink.Header);
        Assert.Equal(wrappedKey, sink.Header!.WrappedKey);
        Assert.NotSame(wrappedKey, sink.Header.WrappedKey);
        Assert.NotEqual(header with { WrappedKey = [.. wrappedKey.Select(b => (byte)~b)] }, sink.Header);
        Assert.Equal(image, sink.Image);
        Assert.Empty(sink.Violations);
    }

    [Fact]
    public void Holes_clear_what_the_receiver_held_and_data_around_them_survives()
    {
        var before = new byte[16384];
        new SplitMix64(2).Fill(before);
        var data = new byte[4096];
        new SplitMix64(3).Fill(data);
        var stream = Samples.Write(Samples.Header(imageSize: 16384, baseGuid: Samples.BaseGuid), writer =>
        {
            writer.WriteHole(0, 4096);
            writer.WriteData(4096, data);
            writer.WriteHole(12288, 4096);
        });

        var sink = new ImageSink((byte[])before.Clone());
        var summary = Samples.Read(stream, sink);

        var expected = (byte[])before.Clone();
        expected.AsSpan(0, 4096).Clear();
        data.CopyTo(expected, 4096);
        expected.AsSpan(12288).Clear();
        Assert.Equal(expected, sink.Image);
        Assert.Equal((1, 2, 0, 4096L), (summary.DataRecords, summary.HoleRecords, summary.SizeChanges, summary.DataBytes));
    }

    [Fact]
    public void Size_changes_grow_and_shrink_the_image_and_bound_the_records_after_them()
    {
        var data = new byte[8192];
        new SplitMix64(4).Fill(data);
        var stream = Samples.Write(Samples.Header(imageSize: 8192), writer =>
        {
            writer.WriteData(0, data.AsSpan(0, 100));
            writer.WriteSizeChange(16384);
            writer.WriteData(12288, data.AsSpan(0, 4096));
            writer.WriteSizeChange(20480);
        });

        var sink = new ImageSink();
        var summary = Samples.Read(stream, sink);

        var expected = new byte[20480];
        data.AsSpan(0, 100).CopyTo(expected);
        data.AsSpan(0, 4096).CopyTo(expected.AsSpan(12288));
        Assert.Equal(expected, sink.Image);
        Assert.Equal(2, summary.SizeChanges);
        Assert.Equal(["begin", "data 0 100", "size 16384", "data 12288 4096", "size 20480", "end"], sink.Calls);

        var shrunk = Samples.Write(Samples.Header(imageSize: 16384), writer =>
        {
            writer.WriteData(0, data.AsSpan(0, 4096));
            writer.WriteSizeChange(4096);
        });
        var shrinking = new ImageSink();
        Samples.Read(shrunk, shrinking);
        Assert.Equal(data.AsSpan(0, 4096).ToArray(), shrinking.Image);
    }

    [Theory]
    [InlineData(StreamCompression.None)]
    [InlineData(StreamCompression.Zstd)]
    public void Compressed_and_raw_streams_rebuild_the_same_image(StreamCompression compression)
    {
        var random = new SplitMix64(5);
        var image = new byte[4 << 20];
        random.FillCompressible(image.AsSpan(0, 3 << 20));
        random.Fill(image.AsSpan(3 << 20));

        var stream = Samples.Write(Samples.Header(imageSize: image.Length, compression: compression), writer => writer.WriteData(0, image));
        var sink = new ImageSink();
        var summary = Samples.Read(stream, sink);

        Assert.Equal(image, sink.Image);
        Assert.Equal(4, summary.DataRecords);
        Assert.Equal(image.Length, summary.DataBytes);
        if (compression == StreamCompression.Zstd)
        {
            Assert.True(stream.Length < (1 << 20) + 4096, $"compressible megabytes should shrink; the stream is {stream.Length} bytes");
        }
        else
        {
            Assert.True(stream.Length > image.Length);
        }
    }

    [Fact]
    public void Incompressible_records_stay_raw_in_a_compressed_stream()
    {
        var data = new byte[65536];
        new SplitMix64(6).Fill(data);
        var raw = Samples.Write(Samples.Header(), writer => writer.WriteData(0, data));
        var compressed = Samples.Write(Samples.Header(compression: StreamCompression.Zstd), writer => writer.WriteData(0, data));

        // Only the header's compression flag, its checksum and what follows from the chain differ.
        Assert.Equal(raw.Length, compressed.Length);
        Assert.Equal(0, compressed[RecordFlagsAt(compressed)]);
    }

    [Fact]
    public void Data_longer_than_a_record_is_split_into_records_of_at_most_one_mebibyte()
    {
        var data = new byte[(3 << 20) + 5];
        new SplitMix64(8).Fill(data);
        var stream = Samples.Write(Samples.Header(imageSize: 4 << 20), writer => writer.WriteData(7, data));

        var sink = new ImageSink();
        Samples.Read(stream, sink);

        Assert.Equal(["begin", "data 7 1048576", "data 1048583 1048576", "data 2097159 1048576", "data 3145735 5", "end"], sink.Calls);
        Assert.Equal(data, sink.Image.AsSpan(7, data.Length).ToArray());
    }

    [Fact]
    public void A_resumed_stream_carries_only_what_lies_at_or_beyond_its_resume_offset()
    {
        var data = new byte[16384];
        new SplitMix64(9).Fill(data);
        void Send(ReplicationStreamWriter writer)
        {
            writer.WriteData(0, data.AsSpan(0, 4096));
            writer.WriteHole(4096, 4096);
            writer.WriteData(8192, data.AsSpan(8192));
        }

        var resumed = Samples.Write(Samples.Header(imageSize: 16384, resumeOffset: 10000), Send);
        var partial = new byte[16384];
        data.AsSpan(0, 4096).CopyTo(partial);
        data.AsSpan(8192, 10000 - 8192).CopyTo(partial.AsSpan(8192));
        var sink = new ImageSink(partial);
        Samples.Read(resumed, sink);

        Assert.Equal(["begin", "data 10000 6384", "end"], sink.Calls);
        var expected = (byte[])data.Clone();
        expected.AsSpan(4096, 4096).Clear();
        Assert.Equal(expected, sink.Image);
    }

    [Fact]
    public void Random_extents_and_holes_rebuild_the_target_byte_for_byte_over_many_seeds()
    {
        var records = 0L;
        for (ulong seed = 1; seed <= 300; seed++)
        {
            var model = ImageModel.Random(seed, incremental: seed % 2 == 0, allowShrink: true);
            var sink = new ImageSink((byte[])model.Base.Clone());
            var summary = Samples.Read(model.Stream(), sink);

            Assert.True(model.Target.AsSpan().SequenceEqual(sink.Image), $"seed {seed} rebuilt a different image");
            Assert.Empty(sink.Violations);
            records += summary.DataRecords + summary.HoleRecords + summary.SizeChanges;
        }

        Assert.True(records > 3000, $"the seeds should exercise thousands of records, not {records}");
    }

    [Fact]
    public void A_receive_interrupted_anywhere_and_resumed_from_its_progress_rebuilds_the_target_over_many_seeds()
    {
        var resumes = 0;
        for (ulong seed = 1; seed <= 120; seed++)
        {
            var model = ImageModel.Random(seed, incremental: seed % 3 != 0, allowShrink: false);
            var stream = model.Stream();
            var whole = Samples.Read(stream, new ImageSink((byte[])model.Base.Clone()));
            var records = (int)(whole.DataRecords + whole.HoleRecords);
            for (var stop = 1; stop < records; stop += 1 + (records / 6))
            {
                var first = new ImageSink((byte[])model.Base.Clone()) { StopAfter = stop };
                Assert.Throws<InterruptedReceiveException>(() => Samples.Read(stream, first));

                // The receiver sets its image to the header's size at Begin, so it may resume no further than that size.
                var resumeOffset = Math.Min(first.Progress, model.Header.ImageSize);
                var second = new ImageSink(first.Image);
                Samples.Read(model.Stream(resumeOffset), second);

                Assert.True(model.Target.AsSpan().SequenceEqual(second.Image), $"seed {seed} resumed at {resumeOffset} rebuilt a different image");
                Assert.Empty(second.Violations);
                resumes++;
            }
        }

        Assert.True(resumes > 300, $"only {resumes} resumes were tried");
    }

    /// <summary>The flags byte of the first record, just after the header.</summary>
    private static int RecordFlagsAt(byte[] stream)
    {
        using var reader = new ReplicationStreamReader(new MemoryStream(stream));
        reader.ReadHeader();
        return (int)reader.BytesRead + 1;
    }
}
