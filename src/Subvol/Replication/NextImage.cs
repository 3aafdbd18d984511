using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Replication;

/// <summary>
/// The subvolume's next image: a reflink clone of the received image, made on a thread of its own so that moving the
/// subvolume to the received snapshot is a rename of an image already made. A stream's records ascend, so the part of
/// the image a stream has passed never changes again: it is cloned a span at a time while the stream still arrives,
/// and only the last span once it verified, while the receive syncs. Cloning range by range instead cost a call per
/// range on top of a clone of the base, and one clone of the whole image at the end kept the receive waiting. The
/// image is an unnamed file in incoming/, so nothing of it outlives a killed receive; whatever fails makes it give up,
/// and the receive then clones the published snapshot instead.
/// </summary>
internal sealed class NextImage : IDisposable
{
    /// <summary>Large enough that an image is a handful of clone calls, small enough that the last one leaves little to wait for.</summary>
    public const long DefaultSpanBytes = 256L << 20;

    /// <summary>Spans end on this boundary, a multiple of any block size, as FICLONERANGE asks short of the end of the file.</summary>
    private const long Alignment = 1L << 20;

    /// <summary>In place of a span's end: the rest of the image, to its end.</summary>
    private const long ToTheEnd = -1;

    /// <summary>The end of each span to clone, ascending; <see cref="ToTheEnd"/> for the rest of the image.</summary>
    private readonly BlockingCollection<long> _spanEnds = new();
    private readonly SafeFileHandle _received;
    private readonly string _receivedPath;
    private readonly SafeFileHandle _image;
    private readonly string _description;
    private readonly long _spanBytes;
    private readonly Thread _worker;
    private long _queuedTo;
    private long _clonedTo;
    private volatile bool _failed;
    private volatile bool _made;

    private NextImage(SafeFileHandle received, string receivedPath, SafeFileHandle image, string description, long spanBytes)
    {
        _received = received;
        _receivedPath = receivedPath;
        _image = image;
        _description = description;
        _spanBytes = spanBytes;
        _worker = new Thread(Clone) { IsBackground = true, Name = "next image" };
        _worker.Start();
    }

    /// <param name="receivedPath">The received image, as the receive writes it.</param>
    /// <param name="spanBytes">How much of the image the stream must pass before it is cloned.</param>
    public static NextImage Open(PoolFiles files, string incomingDirectory, string receivedPath, long spanBytes = DefaultSpanBytes)
    {
        var received = files.OpenFile(receivedPath, FileAccess.Read);
        try
        {
            return new NextImage(received, receivedPath, files.CreateUnnamedFile(incomingDirectory), $"the next image of the subvolume in {incomingDirectory}", spanBytes);
        }
        catch
        {
            received.Dispose();
            throw;
        }
    }

    /// <summary>The stream will write nothing below <paramref name="offset"/> again: its records ascend.</summary>
    public void Passed(long offset)
    {
        var end = offset / Alignment * Alignment;
        if (end - _queuedTo >= _spanBytes && !_spanEnds.IsAddingCompleted)
        {
            _spanEnds.Add(end);
            _queuedTo = end;
        }
    }

    /// <summary>The received image holds the whole verified stream: clone what is left of it.</summary>
    public void Complete()
    {
        if (!_spanEnds.IsAddingCompleted)
        {
            _spanEnds.Add(ToTheEnd);
            _spanEnds.CompleteAdding();
        }
    }

    /// <summary>Waits for the clone; the image, still unnamed, if all of it was made, else null.</summary>
    public SafeFileHandle? Finish()
    {
        Stop();
        return _made ? _image : null;
    }

    public void Dispose()
    {
        Stop();
        _spanEnds.Dispose();
        _received.Dispose();
        _image.Dispose();
    }

    private void Stop()
    {
        if (!_spanEnds.IsAddingCompleted)
        {
            _spanEnds.CompleteAdding();
        }

        _worker.Join();
    }

    private void Clone()
    {
        foreach (var end in _spanEnds.GetConsumingEnumerable())
        {
            if (_failed)
            {
                continue;
            }

            try
            {
                if (end == ToTheEnd)
                {
                    CloneTheRest();
                    _made = true;
                }
                else
                {
                    // Written back first without the inode locks FICLONERANGE takes, so the receive's writes do not wait on the device.
                    FileSync.Writeback(_received, _receivedPath, _clonedTo, end - _clonedTo);
                    Reflink.CloneRange(_received, _image, _clonedTo, end - _clonedTo, _description);
                    _clonedTo = end;
                }
            }
            catch (Exception)
            {
                // Giving up costs only time: the receive then clones the published snapshot, which reports its own errors;
                // an exception left to escape this thread would end the receive instead.
                _failed = true;
            }
        }
    }

    private void CloneTheRest()
    {
        var size = RandomAccess.GetLength(_received);
        if (size > _clonedTo)
        {
            // A range that reaches the end of the file may end off a block boundary.
            Reflink.CloneRange(_received, _image, _clonedTo, size - _clonedTo, _description);
        }

        RandomAccess.SetLength(_image, size);
    }
}
