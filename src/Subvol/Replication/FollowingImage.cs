using System.Collections.Concurrent;
using Microsoft.Win32.SafeHandles;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Replication;

/// <summary>
/// The subvolume's next image, built beside an incremental receive so that moving the subvolume to the
/// received snapshot is a rename instead of a clone of the whole image at the end. It is an unnamed file
/// in incoming/ (nothing of it outlives a killed receive), cloned from the base snapshot, that takes every
/// range the receive applies by reflink from the received image, on a thread of its own, while the stream
/// is still arriving. Writing each range back before it is shared also means the receive's final fsync
/// finds little left to do. Whatever it cannot follow (a failed call, a range off block boundaries) makes it
/// give up, and the receive then clones the snapshot as it always did.
/// </summary>
internal sealed class FollowingImage : IDisposable
{
    private readonly BlockingCollection<Change> _changes = new();
    private readonly SafeFileHandle _base;
    private readonly SafeFileHandle _received;
    private readonly string _receivedPath;
    private readonly SafeFileHandle _image;
    private readonly string _description;
    private readonly Thread _worker;
    private volatile bool _failed;

    private FollowingImage(SafeFileHandle baseImage, SafeFileHandle received, string receivedPath, SafeFileHandle image, string description)
    {
        _base = baseImage;
        _received = received;
        _receivedPath = receivedPath;
        _image = image;
        _description = description;
        _worker = new Thread(Follow) { IsBackground = true, Name = "following image" };
        _worker.Start();
    }

    /// <param name="receivedPath">The received image, as the receive writes it.</param>
    public static FollowingImage Start(PoolFiles files, string incomingDirectory, string baseImage, string receivedPath)
    {
        var handles = new List<SafeFileHandle>();
        try
        {
            handles.Add(files.OpenFile(baseImage, FileAccess.Read));
            handles.Add(files.OpenFile(receivedPath, FileAccess.Read));
            handles.Add(files.CreateUnnamedFile(incomingDirectory));
            return new FollowingImage(handles[0], handles[1], receivedPath, handles[2], $"the next image of the subvolume in {incomingDirectory}");
        }
        catch
        {
            handles.ForEach(handle => handle.Dispose());
            throw;
        }
    }

    /// <summary>The receive wrote <paramref name="length"/> bytes at <paramref name="offset"/> of the received image.</summary>
    public void Data(long offset, long length) => _changes.Add(new Change(ChangeKind.Data, offset, length));

    /// <summary>The receive punched a hole.</summary>
    public void Hole(long offset, long length) => _changes.Add(new Change(ChangeKind.Hole, offset, length));

    /// <summary>The receive set the received image's size.</summary>
    public void Resize(long size) => _changes.Add(new Change(ChangeKind.Resize, size, 0));

    /// <summary>
    /// Waits until every change is followed; the image, still unnamed, if it took all of them, else null.
    /// The caller still compares it with the received image before trusting it.
    /// </summary>
    public SafeFileHandle? Finish()
    {
        _changes.CompleteAdding();
        _worker.Join();
        return _failed ? null : _image;
    }

    public void Dispose()
    {
        if (!_changes.IsAddingCompleted)
        {
            _changes.CompleteAdding();
        }

        _worker.Join();
        _changes.Dispose();
        _base.Dispose();
        _received.Dispose();
        _image.Dispose();
    }

    private void Follow()
    {
        Attempt(() => Reflink.Clone(_base, _image, _description));
        var batch = new List<Change>();
        while (_changes.TryTake(out var first, Timeout.Infinite))
        {
            // Everything that arrived meanwhile goes in one batch: its writeback is started at once, so the device sees many writes together.
            batch.Add(first);
            while (_changes.TryTake(out var next))
            {
                if (batch[^1] is { Kind: ChangeKind.Data } last && next.Kind == ChangeKind.Data && last.Offset + last.Length == next.Offset)
                {
                    batch[^1] = last with { Length = last.Length + next.Length };
                    continue;
                }

                batch.Add(next);
            }

            Apply(batch);
            batch.Clear();
        }
    }

    private void Apply(List<Change> batch)
    {
        var data = batch.Where(change => change.Kind == ChangeKind.Data).ToList();
        // FICLONERANGE writes its source back itself, but while it holds the inode locks the receive's own writes would wait on the
        // device; the receive has started the writeback already, so this mostly waits for what is in flight.
        data.ForEach(range => Attempt(() => FileSync.Writeback(_received, _receivedPath, range.Offset, range.Length)));
        foreach (var change in batch)
        {
            switch (change.Kind)
            {
                case ChangeKind.Data:
                    Attempt(() => Reflink.CloneRange(_received, _image, change.Offset, change.Length, _description));
                    break;
                case ChangeKind.Hole:
                    Attempt(() => FileSpace.PunchHole(_image, _description, change.Offset, change.Length));
                    break;
                case ChangeKind.Resize:
                    Attempt(() => RandomAccess.SetLength(_image, change.Offset));
                    break;
            }
        }
    }

    private void Attempt(Action action)
    {
        if (_failed)
        {
            return;
        }

        try
        {
            action();
        }
        catch (Exception)
        {
            // Whatever went wrong, giving up costs only speed: the receive then moves the subvolume by a clone of the whole
            // snapshot, which reports its own errors; an exception left to escape this thread would end the receive instead.
            _failed = true;
        }
    }

    private enum ChangeKind
    {
        Data,
        Hole,
        Resize,
    }

    private readonly record struct Change(ChangeKind Kind, long Offset, long Length);
}
