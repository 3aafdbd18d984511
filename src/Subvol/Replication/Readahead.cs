using Microsoft.Win32.SafeHandles;
using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Asks the kernel for the data a send will read next, a window of bytes ahead of the reader. Read one after
/// another, scattered changed ranges wait for the device once each; advised ahead, many of them are in flight
/// together. Only the head of each range is advised: past it the reader goes on in order, and the kernel's own
/// readahead keeps ahead of an ordered reader for far less CPU than advice (advising whole ranges made a cold full
/// send of 16 GiB half again slower, in system time). Each advice queues its reads before it returns, which costs
/// tens of microseconds a range, so the advice is given on a thread of its own: the reader starts on the first
/// range at once instead of after hundreds of advices.
/// </summary>
internal sealed class Readahead : IDisposable
{
    /// <summary>Large enough that a change of a few percent is all in flight at once, as a bare read of the changed ranges would have it; small beside any machine's memory.</summary>
    private const long Window = 256L << 20;

    /// <summary>How much of a range is advised: enough to cover the reader while the kernel's readahead of an ordered reader starts up.</summary>
    internal const long Head = 2L << 20;

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

    /// <summary>What is advised of <paramref name="range"/>: all of it up to <see cref="Head"/>, else its first <see cref="Head"/> bytes.</summary>
    internal static ChangedRange AdvisedPart(ChangedRange range) => range with { Length = Math.Min(range.Length, Head) };

    private void Advise()
    {
        // Where each range starts in the data the reader goes through, so that the window is counted in what is read, not in what is advised.
        long position = 0;
        foreach (var range in _ranges)
        {
            lock (_gate)
            {
                while (!_stopped && position >= _read + Window)
                {
                    Monitor.Wait(_gate);
                }

                if (_stopped)
                {
                    return;
                }
            }

            var advice = AdvisedPart(range);
            try
            {
                FileAdvice.WillNeed(_handle, _path, advice.Offset, advice.Length);
            }
            catch (Exception)
            {
                // Advice only makes reading faster; the reads themselves report whatever is wrong with the image.
                return;
            }

            position += range.Length;
        }
    }
}
