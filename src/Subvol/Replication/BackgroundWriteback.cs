using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>
/// Starts the writeback of what a receive wrote, on a thread of its own. Submitting dirty pages is CPU work done in
/// the calling thread (allocating blocks, ending copy-on-write of extents shared with the base, queueing to the loop
/// device), and done inline it held back reading and verifying the stream while the other core waited.
/// </summary>
internal sealed class BackgroundWriteback : IDisposable
{
    /// <summary>Ranges waiting to be started; bounded, so a device that cannot keep up holds the receive back.</summary>
    private const int QueuedRanges = 16;

    private readonly BlockingCollection<(long Offset, long Length)> _ranges = new(QueuedRanges);
    private readonly SafeFileHandle _image;
    private readonly string _path;
    private readonly Thread _worker;
    private Exception? _failure;
    private volatile bool _stopping;
    private bool _disposed;

    public BackgroundWriteback(SafeFileHandle image, string path)
    {
        _image = image;
        _path = path;
        _worker = new Thread(Run) { IsBackground = true, Name = "writeback" };
        _worker.Start();
    }

    /// <summary>Asks for the range's writeback to start; throws what an earlier start failed with.</summary>
    public void Start(long offset, long length)
    {
        ThrowIfFailed();
        _ranges.Add((offset, length));
    }

    /// <summary>
    /// Drops the ranges not yet started and waits for the one being started, for a caller about to sync the whole image,
    /// which writes back everything anyway; throws what a start failed with.
    /// </summary>
    public void Finish()
    {
        _stopping = true;
        if (!_ranges.IsAddingCompleted)
        {
            _ranges.CompleteAdding();
        }

        _worker.Join();
        ThrowIfFailed();
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (!_ranges.IsAddingCompleted)
        {
            _ranges.CompleteAdding();
        }

        _worker.Join();
        _ranges.Dispose();
    }

    private void ThrowIfFailed()
    {
        if (_failure is { } failure)
        {
            // Rethrown as it was, so that an errno such as ENOSPC is reported like one from the receive's own writes.
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }
    }

    private void Run()
    {
        foreach (var (offset, length) in _ranges.GetConsumingEnumerable())
        {
            if (_failure is not null || _stopping)
            {
                continue;
            }

            try
            {
                FileSync.StartWriteback(_image, _path, offset, length);
            }
            catch (Exception exception)
            {
                // Kept for the receive to throw: an exception escaping this thread would end the process instead.
                _failure = exception;
            }
        }
    }
}
