using Microsoft.Win32.SafeHandles;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Safety;
using Subvol.Stream;

namespace Subvol.Replication;

/// <summary>
/// Applies a verified stream's records to an image in incoming/, and now and then syncs it and
/// records the offset reached, so an interrupted receive can resume from there.
/// </summary>
internal sealed class ReceiveSink : IStreamSink, IDisposable
{
    private const long CheckpointBytes = 256L << 20;
    private const long SpaceCheckBytes = 64L << 20;

    /// <summary>How much is written before its writeback starts: enough for large writes, little enough that the final fsync finds little left.</summary>
    private const long WritebackBytes = 8L << 20;

    private readonly string _imagePath;
    private readonly SafeFileHandle _image;
    private readonly Action<long> _checkpoint;
    private readonly IProgress<ReplicationProgress>? _progress;
    private readonly CancellationToken _cancellation;
    private bool _paused;
    private readonly Action? _spaceCheck;
    private readonly Action<long>? _admitSize;
    private readonly NextImage? _next;
    private readonly BackgroundWriteback _writeback;
    private long _unwrittenFrom = -1;
    private long _unwrittenTo;
    private long _unwrittenBytes;
    private long _sinceSpaceCheck;
    private long _size;
    private long _admittedSize;
    private long _smallestSize;
    private long _reached;
    private long _sinceCheckpoint;

    /// <param name="spaceCheck">Called every so often; throws to stop a receive that would eat space promised to others.</param>
    /// <param name="image">The image, opened for reading and writing beneath the pool's root; the sink owns it.</param>
    /// <param name="admitSize">Called with the new size before a size change grows the image; throws to refuse it.</param>
    /// <param name="next">The subvolume's next image, told how far the stream got and when it verified.</param>
    /// <param name="blockSize">The block size of the pool's filesystem, which holds the image.</param>
    /// <param name="cancellation">Stops the receive after the record being applied, as a signal asks.</param>
    public ReceiveSink(SafeFileHandle image, string imagePath, long blockSize, long size, Action<long> checkpoint, IProgress<ReplicationProgress>? progress, Action? spaceCheck = null, Action<long>? admitSize = null, NextImage? next = null, CancellationToken cancellation = default)
    {
        _cancellation = cancellation;
        _next = next;
        _writeback = new BackgroundWriteback(image, imagePath);
        _spaceCheck = spaceCheck;
        _admitSize = admitSize;
        _imagePath = imagePath;
        _image = image;
        _size = size;
        _admittedSize = size;
        _smallestSize = size;
        _checkpoint = checkpoint;
        _progress = progress;
        SetCopyOnWriteHint((uint)blockSize);
    }

    public StreamSummary? Summary { get; private set; }

    /// <summary>The image's size now: the header's, or the latest size change's.</summary>
    public long Size => _size;

    /// <summary>
    /// Where a resumed stream can start: the offset reached, but never beyond a size the image has had
    /// in this stream, since the resumed stream repeats every size change and none may fall below its
    /// resume offset (docs/stream-format.md, "the resume rule"). Bytes below it never change again.
    /// </summary>
    public long ResumableOffset => Math.Min(_reached, _smallestSize);

    public void Begin(StreamHeader header)
    {
        _reached = header.ResumeOffset;
        RandomAccess.SetLength(_image, header.ImageSize);
        _size = header.ImageSize;
        _admittedSize = Math.Max(_admittedSize, header.ImageSize);
        _smallestSize = header.ImageSize;
    }

    public void Data(long offset, ReadOnlySpan<byte> data)
    {
        CheckBounds(offset, data.Length);
        RandomAccess.Write(_image, data, offset);
        StartWriteback(offset, data.Length);

        Advance(offset + data.Length, data.Length);
    }

    public void Hole(long offset, long length)
    {
        CheckBounds(offset, length);
        FileSpace.PunchHole(_image, _imagePath, offset, length);
        Advance(offset + length, 0);
    }

    public void SizeChange(long newSize)
    {
        // Only a size beyond every size admitted so far asks again: a stream that shrinks and grows back is not re-admitted.
        if (newSize > _admittedSize)
        {
            // Admission comes before the image changes, so a refused size change leaves the receive as it was: resumable.
            _admitSize?.Invoke(newSize);
            _admittedSize = newSize;
        }

        RandomAccess.SetLength(_image, newSize);
        _size = newSize;
        _smallestSize = Math.Min(_smallestSize, newSize);
    }

    /// <summary>
    /// The stream verified: everything is synced. No resume point is recorded any more, since the receive publishes
    /// next; if that fails, the last checkpoint is still a correct place to resume from.
    /// </summary>
    public void End(StreamSummary summary)
    {
        // Before the next image is cloned whole, which would take the hint along into the subvolume's own writes.
        SetCopyOnWriteHint(0);
        _writeback.Finish();
        _next?.Complete();
        FileSync.Flush(_image, _imagePath);
        _reached = _size;
        Summary = summary;
    }

    /// <summary>Syncs what has been applied and records it as the offset to resume from.</summary>
    public void Checkpoint()
    {
        FileSync.Flush(_image, _imagePath);
        _checkpoint(ResumableOffset);
        _sinceCheckpoint = 0;
    }

    public void Dispose()
    {
        _writeback.Dispose();
        _image.Dispose();
    }

    /// <summary>
    /// An incremental stream writes into a clone of its base, so every write shares out of the base's extents. XFS's
    /// default hint reserves 32 blocks around each such write and gives back what the write did not cover under the
    /// inode's lock, which the writeback of earlier records holds: the receive spun on that lock. While the stream is
    /// written, a hint of one block reserves what is written; once it is, the default comes back (0), so that a clone of
    /// the image, as the subvolume or a rollback makes, writes as any other file.
    /// </summary>
    private void SetCopyOnWriteHint(uint bytes)
    {
        try
        {
            CopyOnWriteExtentSize.Set(_image, _imagePath, bytes);
        }
        catch (SystemCallException)
        {
            // Only a hint: a filesystem without it receives as well, a little slower.
        }
    }

    /// <summary>Starts writing back what was written since the last start, once there is enough of it, so that it reaches the device while the stream still arrives.</summary>
    private void StartWriteback(long offset, long length)
    {
        _unwrittenFrom = _unwrittenFrom < 0 ? offset : Math.Min(_unwrittenFrom, offset);
        _unwrittenTo = Math.Max(_unwrittenTo, offset + length);
        _unwrittenBytes += length;
        if (_unwrittenBytes >= WritebackBytes)
        {
            _writeback.Start(_unwrittenFrom, _unwrittenTo - _unwrittenFrom);
            _unwrittenFrom = -1;
            _unwrittenTo = 0;
            _unwrittenBytes = 0;
        }
    }

    // The reader checks bounds already; checking again here means no reader bug can write outside the image.
    private void CheckBounds(long offset, long length)
    {
        if (offset < 0 || length < 0 || offset > _size || length > _size - offset)
        {
            throw new SubvolException(SubvolErrorCode.StreamCorrupt, $"the stream asked to write {length} bytes at {offset}, outside the {_size}-byte image; nothing was published");
        }
    }

    private void Advance(long end, long bytes)
    {
        _reached = Math.Max(_reached, end);
        _next?.Passed(_reached);
        _progress?.Report(new ReplicationProgress(_reached, _size));
        _sinceCheckpoint += bytes;
        _sinceSpaceCheck += bytes;
        if (_sinceSpaceCheck >= SpaceCheckBytes)
        {
            _sinceSpaceCheck = 0;
            _spaceCheck?.Invoke();
        }

        if (_sinceCheckpoint >= CheckpointBytes)
        {
            Checkpoint();
        }

        if (!_paused)
        {
            _paused = true;
            PausePoint.Reach("receive-applying", _cancellation);
        }

        _cancellation.ThrowIfCancellationRequested();
    }
}
