using ZstdSharp;

namespace Subvol.Stream.Tests;

/// <summary>Streams a hostile sender could write: every checksum is right, so only the reader's bounds stand between them and the receiver.</summary>
public sealed class HostileStreamTests
{
    private static RawStreamBuilder Stream(ulong imageSize = 65536, uint flags = 0, ulong resumeOffset = 0) =>
        new RawStreamBuilder { ImageSize = imageSize, Flags = flags, ResumeOffset = resumeOffset }.WriteHeader();

    [Fact]
    public void The_raw_builder_agrees_with_the_writer_byte_for_byte()
    {
        var data = new byte[100];
        new SplitMix64(11).Fill(data);
        var expected = Samples.Write(Samples.Header(), writer =>
        {
            writer.WriteData(0, data);
            writer.WriteHole(4096, 8192);
            writer.WriteSizeChange(131072);
        });

        var built = Stream().Data(0, data).Hole(4096, 8192).SizeChange(131072).End();

        Assert.Equal(expected, built);
    }

    [Fact]
    public void The_raw_builder_agrees_with_the_writer_on_a_version_2_header_byte_for_byte()
    {
        byte[] wrappedKey = [.. Enumerable.Range(0, 77).Select(i => (byte)(i * 3))];
        var expected = Samples.Write(Samples.Header() with { Version = 2, WrappedKey = wrappedKey }, writer => writer.WriteHole(0, 4096));

        var built = new RawStreamBuilder { Version = 2, WrappedKey = wrappedKey }.WriteHeader().Hole(0, 4096).End();

        Assert.Equal(expected, built);
    }

    [Theory]
    [InlineData(65536UL, 1UL)]
    [InlineData(65535UL, 2UL)]
    [InlineData(1UL << 40, 4096UL)]
    [InlineData(ulong.MaxValue, 1UL)]
    public void Data_beyond_the_image_size_is_out_of_bounds(ulong offset, ulong length)
    {
        var stream = Stream().Record(1, 0, offset, length, new byte[(int)length]).End(1, 0, 0, (long)length);

        Assert.Equal(StreamFormatError.OutOfBounds, Samples.Refuse(stream).Error);
    }

    [Theory]
    [InlineData(4096UL, ulong.MaxValue - 100)]
    [InlineData(ulong.MaxValue - 4095, 8192UL)]
    [InlineData(long.MaxValue, long.MaxValue)]
    [InlineData(65536UL, 1UL)]
    [InlineData(0UL, 65537UL)]
    [InlineData(1UL << 62, 1UL << 62)]
    public void A_hole_whose_end_wraps_or_passes_the_size_is_out_of_bounds(ulong offset, ulong length)
    {
        var stream = Stream().Hole(offset, length).End();

        var refusal = Samples.Refuse(stream);

        Assert.Equal(StreamFormatError.OutOfBounds, refusal.Error);
        Assert.Equal(80 + 4 + 7 + 8 + 8, refusal.StreamOffset);
    }

    [Fact]
    public void Absurd_lengths_and_counts_are_refused_without_allocating_from_them()
    {
        byte[][] streams =
        [
            Stream().Record(1, 0, 0, 1UL << 62, payloadLength: uint.MaxValue).ToArray(),
            Stream().Record(1, 0, 0, 1 << 20, payloadLength: uint.MaxValue).ToArray(),
            Stream(flags: 1).Record(1, 1, 0, 1UL << 62, payloadLength: 1 << 30).ToArray(),
            Stream().Record(1, 0, 0, (1 << 20) + 1, payloadLength: (1 << 20) + 1).ToArray(),
            Stream().Record(2, 0, 0, 1UL << 62).End(),
            Stream().Record(2, 0, 0, 4096, payloadLength: int.MaxValue).ToArray(),
            Stream().Record(4, 0, 0, 0, payloadLength: uint.MaxValue).ToArray(),
            Stream().Record(9, 0, 0, 0, payloadLength: uint.MaxValue).ToArray(),
            Stream().End(1L << 62, 1L << 62, 1L << 62, 1L << 62),
            Stream().SizeChange(1UL << 62).End(),
            new RawStreamBuilder { SubvolumeName = new byte[255], SnapshotName = new byte[255] }.WriteHeader().ToArray(),
        ];

        foreach (var stream in streams)
        {
            // Warm the paths up once, so that only this read's allocations are counted.
            var sink = new DumpSink(TextWriter.Null, json: false);
            Assert.ThrowsAny<StreamFormatException>(() => Samples.Read(stream, sink));
            var before = GC.GetAllocatedBytesForCurrentThread();
            Assert.ThrowsAny<StreamFormatException>(() => Samples.Read(stream, sink));
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            Assert.True(allocated < 64 * 1024, $"refusing stream {Array.IndexOf(streams, stream)} allocated {allocated} bytes");
        }
    }

    [Fact]
    public void A_data_record_is_read_within_one_mebibyte_of_buffer_whatever_the_stream_length()
    {
        var data = new byte[1 << 20];
        foreach (var records in new[] { 3, 12 })
        {
            var stream = Stream(imageSize: (ulong)records << 20);
            for (var i = 0; i < records; i++)
            {
                stream = stream.Data((ulong)i << 20, data);
            }

            var bytes = stream.End();
            Samples.Read(bytes, new ImageSink());

            var sink = new ImageSink(new byte[records << 20]);
            var before = GC.GetAllocatedBytesForCurrentThread();
            Samples.Read(bytes, sink);
            var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            // One record buffer, and the digest's batches, a fixed mebibyte whatever the stream's length.
            Assert.True(allocated < (2 << 20) + (128 * 1024), $"reading {records} records of 1 MiB allocated {allocated} bytes");
        }
    }

    [Theory]
    [InlineData("..")]
    [InlineData(".")]
    [InlineData("a/b")]
    [InlineData("/")]
    [InlineData("nul\0byte")]
    [InlineData("new\nline")]
    [InlineData("escape\u001b[31m")]
    [InlineData("c1\u0085")]
    [InlineData("")]
    public void Names_that_are_not_one_safe_path_component_are_refused(string name)
    {
        foreach (var (subvolume, snapshot) in new[] { (name, "daily-1"), ("home", name) })
        {
            var stream = new RawStreamBuilder { SubvolumeName = RawStreamBuilder.Utf8(subvolume), SnapshotName = RawStreamBuilder.Utf8(snapshot) }.WriteHeader().End();

            var refusal = Samples.Refuse(stream);

            Assert.Equal(StreamFormatError.InvalidName, refusal.Error);
            Assert.DoesNotContain(refusal.Message, character => char.IsControl(character));
        }
    }

    [Fact]
    public void A_name_that_is_not_utf8_is_refused_and_quoted_as_hex()
    {
        var stream = new RawStreamBuilder { SnapshotName = [0x66, 0xC3, 0x28, 0x0A] }.WriteHeader().End();

        var refusal = Samples.Refuse(stream);

        Assert.Equal(StreamFormatError.InvalidName, refusal.Error);
        Assert.Contains("0x66c3280a", refusal.Message, StringComparison.Ordinal);
        Assert.Equal(84, refusal.StreamOffset);
    }

    [Fact]
    public void A_refused_name_is_quoted_with_its_control_characters_escaped()
    {
        var stream = new RawStreamBuilder { SubvolumeName = RawStreamBuilder.Utf8("evil\n\u001b[2Jname") }.WriteHeader().End();

        var refusal = Samples.Refuse(stream);

        Assert.Contains(@"'evil\n\x1b[2Jname'", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(3u)]
    [InlineData(0x01000000u)]
    [InlineData(uint.MaxValue)]
    public void Unknown_versions_are_refused_before_anything_else_is_read(uint version)
    {
        var stream = new RawStreamBuilder { Version = version }.WriteHeader().ToArray().AsSpan(0, 12).ToArray();

        var refusal = Samples.Refuse(stream);

        Assert.Equal(StreamFormatError.UnsupportedVersion, refusal.Error);
        Assert.Equal(8, refusal.StreamOffset);
        Assert.Contains($"version {version}", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Input_without_the_magic_is_not_a_stream()
    {
        Assert.Equal(StreamFormatError.NotAStream, Samples.Refuse("not a stream at all, just text"u8.ToArray()).Error);
        Assert.Equal(StreamFormatError.NotAStream, Samples.Refuse([0x89, 0x53, 0x56, 0x53, 0x0A]).Error);
        Assert.Equal(StreamFormatError.Truncated, Samples.Refuse([0x89, 0x53, 0x56]).Error);
        Assert.Equal(StreamFormatError.Truncated, Samples.Refuse([]).Error);
    }

    public static TheoryData<string, RawStreamBuilder, StreamFormatError> BadHeaders => new()
    {
        { "image size 0", new RawStreamBuilder { ImageSize = 0 }, StreamFormatError.OutOfBounds },
        { "image size not a multiple of the block", new RawStreamBuilder { ImageSize = 65536 + 512 }, StreamFormatError.OutOfBounds },
        { "image size 2^56", new RawStreamBuilder { ImageSize = 1UL << 56 }, StreamFormatError.OutOfBounds },
        { "image size 2^64 - 4096", new RawStreamBuilder { ImageSize = ulong.MaxValue - 4095 }, StreamFormatError.OutOfBounds },
        { "block size 256", new RawStreamBuilder { BlockSize = 256 }, StreamFormatError.OutOfBounds },
        { "block size 1000", new RawStreamBuilder { BlockSize = 1000 }, StreamFormatError.OutOfBounds },
        { "block size 131072", new RawStreamBuilder { BlockSize = 131072, ImageSize = 131072 }, StreamFormatError.OutOfBounds },
        { "block size 0", new RawStreamBuilder { BlockSize = 0 }, StreamFormatError.OutOfBounds },
        { "resume beyond the size", new RawStreamBuilder { ResumeOffset = 65537 }, StreamFormatError.OutOfBounds },
        { "zero target", new RawStreamBuilder { Target = Guid.Empty }, StreamFormatError.Corrupt },
        { "base equals target", new RawStreamBuilder { Base = Samples.TargetGuid }, StreamFormatError.Corrupt },
        { "filesystem code 3", new RawStreamBuilder { FileSystem = 3 }, StreamFormatError.Corrupt },
        { "filesystem code 0", new RawStreamBuilder { FileSystem = 0 }, StreamFormatError.Corrupt },
        { "reserved byte", new RawStreamBuilder { Reserved = 1 }, StreamFormatError.Corrupt },
        { "unknown flag", new RawStreamBuilder { Flags = 2 }, StreamFormatError.Corrupt },
        { "creation time past 9999", new RawStreamBuilder { CreatedAtMicroseconds = long.MaxValue }, StreamFormatError.OutOfBounds },
        { "creation time before year 1", new RawStreamBuilder { CreatedAtMicroseconds = long.MinValue }, StreamFormatError.OutOfBounds },
        { "version 2 with a wrapped key of 0 bytes", new RawStreamBuilder { Version = 2, WrappedKey = [] }, StreamFormatError.OutOfBounds },
        { "version 2 with a wrapped key of 4097 bytes", new RawStreamBuilder { Version = 2, WrappedKey = new byte[4097] }, StreamFormatError.OutOfBounds },
        { "version 2 whose key length claims more than the key", new RawStreamBuilder { Version = 2, WrappedKey = new byte[16], WrappedKeyLength = 32 }, StreamFormatError.ChecksumMismatch },
        { "version 2 whose key length claims less than the key", new RawStreamBuilder { Version = 2, WrappedKey = new byte[16], WrappedKeyLength = 8 }, StreamFormatError.ChecksumMismatch },
        { "version 1 followed by a key part", new RawStreamBuilder { Version = 1, WrappedKey = new byte[16] }, StreamFormatError.ChecksumMismatch },
    };

    [Fact]
    public void A_hostile_wrapped_key_length_is_refused_before_it_sizes_a_read()
    {
        // A u16 of 65535 would ask for 64 KiB; the length is bounded before the checksum can vouch for it, so nothing past it is read.
        var header = new RawStreamBuilder { Version = 2, WrappedKey = new byte[8], WrappedKeyLength = ushort.MaxValue }.WriteHeader().ToArray();

        var refusal = Samples.Refuse(header);

        Assert.Equal(StreamFormatError.OutOfBounds, refusal.Error);
        Assert.Equal(80 + "home".Length + "daily-1".Length, refusal.StreamOffset);
        Assert.Contains("wrapped key length 65535", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_version_2_header_cut_inside_its_wrapped_key_is_truncated()
    {
        var header = new RawStreamBuilder { Version = 2, WrappedKey = new byte[64] }.WriteHeader().ToArray();

        Assert.Equal(StreamFormatError.Truncated, Samples.Refuse(header.AsSpan(0, header.Length - 8 - 20).ToArray()).Error);
    }

    [Fact]
    public void A_changed_byte_in_the_wrapped_key_breaks_the_header_checksum()
    {
        var stream = new RawStreamBuilder { Version = 2, WrappedKey = [.. Enumerable.Range(1, 48).Select(i => (byte)i)] }.WriteHeader().End();
        stream[80 + 4 + 7 + 2 + 10] ^= 0x01;

        Assert.Equal(StreamFormatError.ChecksumMismatch, Samples.Refuse(stream).Error);
    }

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void Headers_outside_the_format_are_refused(string why, RawStreamBuilder builder, StreamFormatError error)
    {
        var refusal = Samples.Refuse(builder.WriteHeader().End());

        Assert.True(error == refusal.Error, $"{why}: {refusal.Message}");
    }

    [Fact]
    public void A_resumed_stream_may_not_reach_back_before_its_resume_offset()
    {
        var stream = Stream(resumeOffset: 8192).Hole(4096, 8192).End();

        var refusal = Samples.Refuse(stream);

        Assert.Equal(StreamFormatError.OutOfOrder, refusal.Error);
        Assert.Contains("resumes at 8192", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Records_that_overlap_or_go_back_are_out_of_order_even_with_valid_checksums()
    {
        Assert.Equal(StreamFormatError.OutOfOrder, Samples.Refuse(Stream().Hole(8192, 4096).Hole(0, 4096).End()).Error);
        Assert.Equal(StreamFormatError.OutOfOrder, Samples.Refuse(Stream().Hole(0, 8192).Hole(4096, 4096).End()).Error);
        Assert.Equal(StreamFormatError.OutOfOrder, Samples.Refuse(Stream().Data(0, new byte[10]).Data(0, new byte[10]).End()).Error);
    }

    [Fact]
    public void Reordered_duplicated_or_dropped_records_break_the_checksum_chain()
    {
        var one = new byte[100];
        var two = new byte[200];
        new SplitMix64(12).Fill(one);
        new SplitMix64(13).Fill(two);
        var stream = Samples.Write(Samples.Header(), writer =>
        {
            writer.WriteData(0, one);
            writer.WriteData(4096, two);
            writer.WriteHole(8192, 4096);
        });
        var header = 80 + 4 + 7 + 8;
        var first = stream.AsSpan(header, 24 + 100 + 8).ToArray();
        var second = stream.AsSpan(header + first.Length, 24 + 200 + 8).ToArray();
        var rest = stream.AsSpan(header + first.Length + second.Length).ToArray();
        var start = stream.AsSpan(0, header).ToArray();

        byte[][] tampered =
        [
            [.. start, .. second, .. first, .. rest],
            [.. start, .. first, .. first, .. second, .. rest],
            [.. start, .. first, .. second, .. second, .. rest],
            [.. start, .. second, .. rest],
            [.. start, .. first, .. rest],
        ];

        foreach (var bytes in tampered)
        {
            var refusal = Samples.Refuse(bytes);
            Assert.Equal(StreamFormatError.ChecksumMismatch, refusal.Error);
        }
    }

    [Fact]
    public void Unknown_record_kinds_flags_and_reserved_fields_are_corrupt()
    {
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().Record(0, 0, 0, 0).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().Record(5, 0, 0, 0).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().Record(1, 2, 0, 4, new byte[4]).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().Record(2, 1, 0, 4096).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().Record(2, 0, 0, 4096, reserved: 1).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().Record(2, 0, 0, 0).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().Record(3, 0, 131072, 1).End()).Error);
    }

    [Fact]
    public void Size_changes_must_be_sane()
    {
        Assert.Equal(StreamFormatError.OutOfBounds, Samples.Refuse(Stream().SizeChange(0).End()).Error);
        Assert.Equal(StreamFormatError.OutOfBounds, Samples.Refuse(Stream().SizeChange(70000).End()).Error);
        Assert.Equal(StreamFormatError.OutOfBounds, Samples.Refuse(Stream().SizeChange(1UL << 56).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().SizeChange(65536).End()).Error);
        Assert.Equal(StreamFormatError.OutOfBounds, Samples.Refuse(Stream().Hole(0, 32768).SizeChange(16384).End()).Error);
        Assert.Equal(StreamFormatError.OutOfBounds, Samples.Refuse(Stream(resumeOffset: 32768).SizeChange(16384).End()).Error);
        Assert.Equal(StreamFormatError.OutOfBounds, Samples.Refuse(Stream().SizeChange(16384).Hole(16384, 4096).End()).Error);
    }

    [Fact]
    public void End_counts_must_equal_what_the_stream_held()
    {
        var builder = () => Stream().Data(0, new byte[10]).Hole(4096, 4096).SizeChange(8192);

        Samples.Read(builder().End(), new ImageSink());
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(builder().End(dataRecordCount: 2)).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(builder().End(holeRecordCount: 0)).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(builder().End(sizeChangeCount: -1)).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(builder().End(dataByteCount: 11)).Error);
        Assert.Equal(StreamFormatError.ChecksumMismatch, Samples.Refuse(builder().End(breakDigest: true)).Error);
    }

    [Fact]
    public void A_stream_without_its_end_record_is_truncated_and_bytes_after_it_are_trailing()
    {
        Assert.Equal(StreamFormatError.Truncated, Samples.Refuse(Stream().Hole(0, 4096).ToArray()).Error);
        var refusal = Samples.Refuse([.. Stream().End(), 0]);
        Assert.Equal(StreamFormatError.TrailingData, refusal.Error);
    }

    [Fact]
    public void Compressed_records_must_be_allowed_by_the_header_and_smaller_than_their_data()
    {
        var frame = Frame(new byte[4096]);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream().CompressedData(0, 4096, frame).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream(flags: 1).CompressedData(0, 10, new byte[10]).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream(flags: 1).CompressedData(0, 10, []).End()).Error);

        var sink = new ImageSink();
        Samples.Read(Stream(flags: 1).CompressedData(0, 4096, frame).End(), sink);
        Assert.Equal(["begin", "data 0 4096", "end"], sink.Calls);
    }

    [Fact]
    public void Frames_that_are_garbage_or_decompress_to_another_length_are_corrupt()
    {
        var garbage = new byte[300];
        new SplitMix64(14).Fill(garbage);
        var zeros = new byte[8192];

        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream(flags: 1).CompressedData(0, 4096, garbage).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream(flags: 1).CompressedData(0, 4096, Frame(zeros)).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream(flags: 1).CompressedData(0, 4096, Frame(zeros.AsSpan(0, 2048))).End()).Error);
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(Stream(flags: 1).CompressedData(0, 4096, [.. Frame(zeros.AsSpan(0, 4096)), 1, 2, 3]).End()).Error);

        // A small frame of 64 MiB of zeros is refused without the reader allocating its content.
        var bomb = Frame(new byte[64 << 20]);
        var stream = Stream(imageSize: 4 << 20, flags: 1).CompressedData(0, 1 << 20, bomb).End();
        var sink = new DumpSink(TextWriter.Null, json: false);
        Samples.Refuse(stream, sink);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Assert.Equal(StreamFormatError.Corrupt, Samples.Refuse(stream, sink).Error);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated < (2 << 20), $"refusing the frame allocated {allocated} bytes");
    }

    [Fact]
    public void Random_records_with_valid_checksums_never_escape_the_bounds()
    {
        var random = new SplitMix64(15);
        var accepted = 0;
        var refused = new Dictionary<StreamFormatError, int>();
        for (var i = 0; i < 3000; i++)
        {
            var size = (ulong)random.Between(1, 16) * 4096;
            var builder = new RawStreamBuilder { ImageSize = size, Flags = (uint)random.Below(2), ResumeOffset = random.Chance(20) ? (ulong)random.Below((int)size + 1) : 0 }.WriteHeader();
            for (var records = random.Below(6); records > 0; records--)
            {
                var offset = Pick(random, size);
                var length = Pick(random, size);
                switch (random.Below(5))
                {
                    case 0:
                        builder.Data(offset, new byte[(int)Math.Min(length, 9000)]);
                        break;
                    case 1:
                        builder.Hole(offset, length);
                        break;
                    case 2:
                        builder.SizeChange(Pick(random, 2 * size) / 512 * 512);
                        break;
                    case 3:
                        var frame = Frame(new byte[(int)Math.Min(length, 9000)]);
                        if (random.Chance(30))
                        {
                            frame[random.Below(frame.Length)] ^= (byte)random.Between(1, 255);
                        }

                        builder.CompressedData(offset, random.Chance(80) ? Math.Min(length, 9000) : length, frame);
                        break;
                    default:
                        builder.Record((byte)random.Below(8), (byte)random.Below(3), offset, length, random.Chance(50) ? [] : new byte[random.Below(100)]);
                        break;
                }
            }

            var stream = random.Chance(90) ? builder.End() : builder.End(dataRecordCount: random.Below(3));
            var sink = new ImageSink();
            try
            {
                Samples.Read(stream, sink);
                accepted++;
                Assert.True(sink.Ended);
            }
            catch (StreamFormatException exception)
            {
                refused[exception.Error] = refused.GetValueOrDefault(exception.Error) + 1;
                Assert.False(sink.Ended);
            }

            Assert.Empty(sink.Violations);
        }

        Assert.True(accepted > 100, $"only {accepted} random streams were valid");
        Assert.True(refused.Count >= 3, string.Join(", ", refused));
    }

    private static ulong Pick(SplitMix64 random, ulong size) => random.Below(6) switch
    {
        0 => 0,
        1 => size,
        2 => ulong.MaxValue - (ulong)random.Below(5000),
        3 => (ulong)random.Below(4) * 4096,
        _ => (ulong)random.Below((int)size + 1),
    };

    private static byte[] Frame(ReadOnlySpan<byte> data)
    {
        using var compressor = new Compressor(3);
        return compressor.Wrap(data).ToArray();
    }
}
