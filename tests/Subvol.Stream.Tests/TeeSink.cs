namespace Subvol.Stream.Tests;

/// <summary>Hands every record to several sinks, so that one read both dumps and rebuilds.</summary>
internal sealed class TeeSink(params IStreamSink[] sinks) : IStreamSink
{
    public void Begin(StreamHeader header) => Array.ForEach(sinks, sink => sink.Begin(header));

    public void Data(long offset, ReadOnlySpan<byte> data)
    {
        foreach (var sink in sinks)
        {
            sink.Data(offset, data);
        }
    }

    public void Hole(long offset, long length) => Array.ForEach(sinks, sink => sink.Hole(offset, length));

    public void SizeChange(long newSize) => Array.ForEach(sinks, sink => sink.SizeChange(newSize));

    public void End(StreamSummary summary) => Array.ForEach(sinks, sink => sink.End(summary));
}
