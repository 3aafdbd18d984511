namespace Subvol.Stream.Tests;

public sealed class DumpSinkTests
{
    [Fact]
    public void The_text_dump_of_the_tiny_stream_is_pinned()
    {
        var text = new StringWriter();
        Samples.Read(TinyStream.Bytes(), new DumpSink(text, json: false));

        Assert.Equal(
            "begin version=1 compression=none filesystem=xfs image_size=8192 block_size=4096 target=01234567-89ab-cdef-0123-456789abcdef base=none subvolume='a' snapshot='s' created_at=2025-01-01T00:00:00.000000Z resume_offset=0\n" +
            "data offset=0 length=5\n" +
            "hole offset=4096 length=4096\n" +
            "end data_records=1 hole_records=1 size_changes=0 data_bytes=5 digest=b1af71ac475f056532c86ad4fc180888eae2a6305972e29311fae07c72812d09\n",
            text.ToString());
    }

    [Fact]
    public void The_json_lines_dump_of_the_tiny_stream_is_pinned()
    {
        var text = new StringWriter();
        Samples.Read(TinyStream.Bytes(), new DumpSink(text, json: true));

        Assert.Equal(
            """{"record":"begin","version":1,"compression":"none","filesystem":"xfs","image_size":8192,"block_size":4096,"target":"01234567-89ab-cdef-0123-456789abcdef","base":null,"subvolume":"a","snapshot":"s","created_at":"2025-01-01T00:00:00.000000Z","resume_offset":0}""" + "\n" +
            """{"record":"data","offset":0,"length":5}""" + "\n" +
            """{"record":"hole","offset":4096,"length":4096}""" + "\n" +
            """{"record":"end","data_records":1,"hole_records":1,"size_changes":0,"data_bytes":5,"digest":"b1af71ac475f056532c86ad4fc180888eae2a6305972e29311fae07c72812d09"}""" + "\n",
            text.ToString());
    }

    [Fact]
    public void The_dump_shows_size_changes_bases_and_compression()
    {
        var stream = Samples.Write(Samples.Header(imageSize: 8192, baseGuid: Samples.BaseGuid, compression: StreamCompression.Zstd), writer => writer.WriteSizeChange(16384));
        var text = new StringWriter();
        var json = new StringWriter();

        Samples.Read(stream, new TeeSink(new DumpSink(text, json: false), new DumpSink(json, json: true)));

        Assert.Contains("compression=zstd", text.ToString(), StringComparison.Ordinal);
        Assert.Contains($"base={Samples.BaseGuid:D}", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("\nsize_change size=16384\n", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("""{"record":"size_change","size":16384}""", json.ToString(), StringComparison.Ordinal);
        Assert.Contains($"\"base\":\"{Samples.BaseGuid:D}\"", json.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Names_are_quoted_in_text_and_escaped_in_json()
    {
        var stream = Samples.Write(Samples.Header(subvolume: "it's", snapshot: "naïve \\ \"q\""), _ => { });
        var text = new StringWriter();
        var json = new StringWriter();

        Samples.Read(stream, new TeeSink(new DumpSink(text, json: false), new DumpSink(json, json: true)));

        Assert.Contains(@"subvolume='it\'s' snapshot='naïve \\ ""q""'", text.ToString(), StringComparison.Ordinal);
        Assert.Contains(@"""subvolume"":""it\u0027s"",""snapshot"":""na\u00EFve \\ \u0022q\u0022""", json.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_dump_of_a_version_2_stream_shows_the_wrapped_key_length_and_never_its_bytes()
    {
        byte[] wrappedKey = [.. Enumerable.Repeat((byte)0xAB, 40)];
        var stream = Samples.Write(Samples.Header(imageSize: 8192) with { Version = 2, WrappedKey = wrappedKey }, writer => writer.WriteHole(0, 4096));
        var text = new StringWriter();
        var json = new StringWriter();

        Samples.Read(stream, new TeeSink(new DumpSink(text, json: false), new DumpSink(json, json: true)));

        Assert.Contains("begin version=2 ", text.ToString(), StringComparison.Ordinal);
        Assert.Contains(" wrapped_key_bytes=40\n", text.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"version\":2,", json.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"wrapped_key_bytes\":40}", json.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("abab", text.ToString() + json.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("q6ur", text.ToString() + json.ToString(), StringComparison.OrdinalIgnoreCase);
    }
}
