using Subvol.Stream;

namespace Subvol.Stream.Fuzz;

/// <summary>
/// Holds the reader to its promise: no record it lets through reaches outside the image's
/// declared size. A breach throws something other than a refusal, which the fuzzer counts as a crash.
/// </summary>
internal sealed class BoundsCheckingSink : IStreamSink
{
    private long _size = -1;

    public void Begin(StreamHeader header) => _size = header.ImageSize;

    public void Data(long offset, ReadOnlySpan<byte> data) => Check(offset, data.Length);

    public void Hole(long offset, long length) => Check(offset, length);

    public void SizeChange(long newSize)
    {
        if (newSize < 0)
        {
            throw new InvalidOperationException($"the reader let a negative size {newSize} through");
        }

        _size = newSize;
    }

    public void End(StreamSummary summary)
    {
    }

    private void Check(long offset, long length)
    {
        if (_size < 0 || offset < 0 || length < 0 || offset > _size || length > _size - offset)
        {
            throw new InvalidOperationException($"the reader let a record of {length} bytes at {offset} through, outside the {_size}-byte image");
        }
    }
}
