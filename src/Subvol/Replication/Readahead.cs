using Microsoft.Win32.SafeHandles;
using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Asks the kernel for the data a send will read next, a window of bytes ahead of the reader. Read one after
/// another, scattered changed ranges wait for the device once each; advised ahead, many of them are in flight
/// together. Each advice queues its reads before it returns, which costs tens of microseconds a range, so the
/// advice is given on a thread of its own: the reader starts on the first range at once instead of after
/// hundreds of advices.
/// </summary>
internal sealed class Readahead : IDisposable
{
    /// <summary>Large enough that a change of a few percent is all in flight at once, as a bare read of the changed ranges would have it; small beside any machine's memory.</summary>
    private const long Window = 256L << 20;

    /// <summary>The most one advice covers, so that the window is kept to whatever the ranges' sizes.</summary>
    private const long Piece = 8L << 20;

    private readonly SafeFileHandle _handle;
    private readonly string _path;
    private readonly IReadOnlyList<ChangedRange> _ranges;
    private readonly Thread _worker;
    private readonly object _gate = new();
    private long _read;
    private bool _stopped;

    public Readahead(SafeFileHandle handle, string path, IReadOnlyList<ChangedRange> dataRanges)
    {
        _handle = handle;
        _path = path;
        _ranges = dataRanges;
        _worker = new Thread(Advise) { IsBackground = true, Name = "readahead" };
        _worker.Start();
    }

    /// <summary>The reader is about to read <paramref name="bytes"/> more; the window moves on by as much.</summary>
    public void Reading(long bytes)
    {
        lock (_gate)
        {
            _read += bytes;
            Monitor.Pulse(_gate);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _stopped = true;
            Monitor.Pulse(_gate);
        }

        _worker.Join();
    }

    private void Advise()
    {
        long advised = 0;
        foreach (var range in _ranges)
        {
            for (var position = range.Offset; position < range.End;)
            {
                lock (_gate)
                {
                    while (!_stopped && advised >= _read + Window)
                    {
                        Monitor.Wait(_gate);
                    }

                    if (_stopped)
                    {
                        return;
                    }
                }

                var length = Math.Min(range.End - position, Piece);
                try
                {
                    FileAdvice.WillNeed(_handle, _path, position, length);
                }
                catch (Exception)
                {
                    // Advice only makes reading faster; the reads themselves report whatever is wrong with the image.
                    return;
                }

                position += length;
                advised += length;
            }
        }
    }
}
