namespace Subvol.Cli.CommandLine;

/// <summary>
/// A read-only stream that gives back the bytes already read from an input to tell what it is, then the rest of the
/// input: a pipe cannot be rewound.
/// </summary>
internal sealed class ReplayedStream(byte[] start, System.IO.Stream rest) : System.IO.Stream
{
    private int replayed;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (replayed == start.Length)
        {
            return rest.Read(buffer);
        }

        var count = Math.Min(buffer.Length, start.Length - replayed);
        start.AsSpan(replayed, count).CopyTo(buffer);
        replayed += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            rest.Dispose();
        }

        base.Dispose(disposing);
    }
}
