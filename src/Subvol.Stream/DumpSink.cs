using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Subvol.Stream;

/// <summary>Prints each record as it is read: one text line, or one JSON object per line; used by <c>subvol stream dump</c>.</summary>
/// <remarks>Like btrfs-progs' receive-dump.c, it applies nothing, so it shows exactly what a receiver would be asked to do.</remarks>
public sealed class DumpSink(TextWriter output, bool json) : IStreamSink
{
    private readonly ArrayBufferWriter<byte> jsonBuffer = new();

    public void Begin(StreamHeader header)
    {
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteString("record", "begin");
                writer.WriteNumber("version", header.Version);
                writer.WriteString("compression", header.Compression == StreamCompression.Zstd ? "zstd" : "none");
                writer.WriteString("filesystem", header.FileSystemType);
                writer.WriteNumber("image_size", header.ImageSize);
                writer.WriteNumber("block_size", header.BlockSize);
                writer.WriteString("target", header.TargetGuid.ToString("D"));
                if (header.BaseGuid is { } baseGuid)
                {
                    writer.WriteString("base", baseGuid.ToString("D"));
                }
                else
                {
                    writer.WriteNull("base");
                }

                writer.WriteString("subvolume", header.SubvolumeName);
                writer.WriteString("snapshot", header.SnapshotName);
                writer.WriteString("created_at", StreamText.Timestamp(header.CreatedAt));
                writer.WriteNumber("resume_offset", header.ResumeOffset);
                if (header.WrappedKey is { } wrappedKey)
                {
                    // The length, not the bytes: a dump is for reading the stream's shape, and key material has no place in it, even wrapped.
                    writer.WriteNumber("wrapped_key_bytes", wrappedKey.Length);
                }
            });
            return;
        }

        Line(
            $"begin version={header.Version} compression={(header.Compression == StreamCompression.Zstd ? "zstd" : "none")} " +
            $"filesystem={header.FileSystemType} image_size={header.ImageSize} block_size={header.BlockSize} " +
            $"target={header.TargetGuid:D} base={(header.BaseGuid is { } b ? b.ToString("D") : "none")} " +
            $"subvolume={StreamText.Quote(header.SubvolumeName)} snapshot={StreamText.Quote(header.SnapshotName)} " +
            $"created_at={StreamText.Timestamp(header.CreatedAt)} resume_offset={header.ResumeOffset}" +
            (header.WrappedKey is { } wrappedKey ? $" wrapped_key_bytes={wrappedKey.Length}" : ""));
    }

    public void Data(long offset, ReadOnlySpan<byte> data)
    {
        var length = data.Length;
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteString("record", "data");
                writer.WriteNumber("offset", offset);
                writer.WriteNumber("length", length);
            });
            return;
        }

        Line($"data offset={offset} length={length}");
    }

    public void Hole(long offset, long length)
    {
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteString("record", "hole");
                writer.WriteNumber("offset", offset);
                writer.WriteNumber("length", length);
            });
            return;
        }

        Line($"hole offset={offset} length={length}");
    }

    public void SizeChange(long newSize)
    {
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteString("record", "size_change");
                writer.WriteNumber("size", newSize);
            });
            return;
        }

        Line($"size_change size={newSize}");
    }

    public void End(StreamSummary summary)
    {
        if (json)
        {
            WriteJson(writer =>
            {
                writer.WriteString("record", "end");
                writer.WriteNumber("data_records", summary.DataRecords);
                writer.WriteNumber("hole_records", summary.HoleRecords);
                writer.WriteNumber("size_changes", summary.SizeChanges);
                writer.WriteNumber("data_bytes", summary.DataBytes);
                writer.WriteString("digest", summary.DigestHex);
            });
            return;
        }

        Line(
            $"end data_records={summary.DataRecords} hole_records={summary.HoleRecords} " +
            $"size_changes={summary.SizeChanges} data_bytes={summary.DataBytes} digest={summary.DigestHex}");
    }

    /// <summary>Ends lines with "\n" on every platform, so that pinned dumps compare byte for byte.</summary>
    private void Line(string text) => output.Write(text + "\n");

    /// <summary>Writes one compact JSON object and a newline, so that the output is JSON Lines.</summary>
    private void WriteJson(Action<Utf8JsonWriter> body)
    {
        jsonBuffer.ResetWrittenCount();
        using (var writer = new Utf8JsonWriter(jsonBuffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        output.Write(Encoding.UTF8.GetString(jsonBuffer.WrittenSpan) + "\n");
    }
}
