namespace Subvol.Stream.Tests;

/// <summary>Rebuilds an image in memory from a stream's records and notes anything a receiver must never be asked to do.</summary>
internal sealed class ImageSink : IStreamSink
{
    /// <summary>Images larger than this are tracked but not stored, so hostile headers cannot make a test allocate.</summary>
    private const long MaxStoredSize = 64L << 20;

    private long declaredSize;

    /// <summary>Starts from an existing image, as a receiver starts from its base or from an interrupted receive.</summary>
    public ImageSink(byte[]? start = null) => Image = start;

    public byte[]? Image { get; private set; }

    public StreamHeader? Header { get; private set; }

    public StreamSummary? Summary { get; private set; }

    public bool Ended => Summary is not null;

    /// <summary>Writes or holes that reached outside [0, declared size): each is a receiver bug waiting to happen.</summary>
    public List<string> Violations { get; } = [];

    public List<string> Calls { get; } = [];

    /// <summary>The end of the last data or hole record applied: what a receiver would put in its resume token.</summary>
    public long Progress { get; private set; }

    /// <summary>When set, the sink throws after this many data and hole records, as an interrupted receive does.</summary>
    public int? StopAfter { get; init; }

    public void Begin(StreamHeader header)
    {
        Calls.Add("begin");
        if (Header is not null)
        {
            Violations.Add("Begin called twice");
        }

        Header = header;
        declaredSize = header.ImageSize;
        Progress = header.ResumeOffset;
        Resize(header.ImageSize);
    }

    public void Data(long offset, ReadOnlySpan<byte> data)
    {
        Calls.Add($"data {offset} {data.Length}");
        if (Check(offset, data.Length) && Image is not null)
        {
            data.CopyTo(Image.AsSpan((int)offset));
        }

        Advance(offset + data.Length);
    }

    public void Hole(long offset, long length)
    {
        Calls.Add($"hole {offset} {length}");
        if (Check(offset, length) && Image is not null)
        {
            Image.AsSpan((int)offset, (int)length).Clear();
        }

        Advance(offset + length);
    }

    public void SizeChange(long newSize)
    {
        Calls.Add($"size {newSize}");
        if (newSize <= 0)
        {
            Violations.Add($"size change to {newSize}");
        }

        declaredSize = newSize;
        Resize(newSize);
    }

    public void End(StreamSummary summary)
    {
        Calls.Add("end");
        if (Ended)
        {
            Violations.Add("End called twice");
        }

        Summary = summary;
    }

    private bool Check(long offset, long length)
    {
        if (Header is null || Ended)
        {
            Violations.Add($"record at {offset} outside Begin..End");
        }

        if (offset < 0 || length <= 0 || offset > declaredSize || length > declaredSize - offset)
        {
            Violations.Add($"{length} bytes at {offset} outside [0, {declaredSize})");
            return false;
        }

        return true;
    }

    private void Advance(long end)
    {
        Progress = end;
        if (StopAfter is { } stop && Calls.Count(call => call.StartsWith("data", StringComparison.Ordinal) || call.StartsWith("hole", StringComparison.Ordinal)) >= stop)
        {
            throw new InterruptedReceiveException();
        }
    }

    private void Resize(long size)
    {
        if (size > MaxStoredSize)
        {
            Image = null;
            return;
        }

        var image = Image ?? [];
        if (image.Length != size)
        {
            Array.Resize(ref image, (int)size);
        }

        Image = image;
    }
}
