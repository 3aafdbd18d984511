using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Subvol.Stream;

/// <summary>
/// The SHA-256 of every stream byte, computed on a thread of its own. It costs about as much CPU as the rest of
/// reading or writing a record together, so a sender or receiver that hashed inline would keep the pipe waiting
/// while a second core sat idle. Bytes reach the thread in batches, so it is woken once per batch, not per record; the
/// batches are few and reused, so memory stays bounded whatever the stream's length, and a caller that runs ahead
/// waits for one to come back. A caller either appends bytes, which are copied into a batch so that it may reuse its
/// buffer at once, or rents a whole batch, fills it itself and hands it over, so that its bytes are never copied. The
/// hash itself is made on that thread too: loading the system's crypto library takes milliseconds, and a sender's
/// header need not wait for them.
/// </summary>
public sealed class StreamDigest : IDisposable
{
    /// <summary>The first batch is small: a stream refused at its first records should cost little memory.</summary>
    private const int FirstBatchBytes = 16 << 10;

    /// <summary>The batches a reader's digest keeps: one being filled, the rest waiting or being hashed.</summary>
    public const int ReaderBatches = 4;

    /// <summary>A reader's batches are 256 KiB, a mebibyte in all: it reads from a pipe, and keeps little memory for a stream it may refuse.</summary>
    public const int ReaderBatchBytes = 256 << 10;

    private readonly BlockingCollection<Batch> _batches;
    private readonly BlockingCollection<byte[]> _free;
    private readonly int _batchBytes;
    private int _allocated;
    private IncrementalHash? _hash;
    private readonly Thread _worker;
    private byte[]? _current;
    private int _filled;
    private Exception? _failure;
    private bool _finished;

    /// <param name="batches">How many batches there ever are.</param>
    /// <param name="batchBytes">How large each batch is, the first one an appending caller fills aside.</param>
    public StreamDigest(int batches, int batchBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchBytes, FirstBatchBytes);
        _batchBytes = batchBytes;
        _batches = new BlockingCollection<Batch>(batches);
        _free = new BlockingCollection<byte[]>(batches);
        _worker = new Thread(Hash) { IsBackground = true, Name = "stream digest" };
        _worker.Start();
    }

    /// <summary>A reader's digest: <see cref="ReaderBatches"/> of <see cref="ReaderBatchBytes"/>.</summary>
    public static StreamDigest ForReader() => new(ReaderBatches, ReaderBatchBytes);

    /// <summary>How large a rented batch is.</summary>
    public int BatchBytes => _batchBytes;

    public void Append(ReadOnlySpan<byte> bytes)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        while (!bytes.IsEmpty)
        {
            _current ??= NextBatch();
            var taken = Math.Min(bytes.Length, _current.Length - _filled);
            bytes[..taken].CopyTo(_current.AsSpan(_filled));
            _filled += taken;
            bytes = bytes[taken..];
            if (_filled == _current.Length)
            {
                Hand();
            }
        }
    }

    /// <summary>
    /// A whole batch of <see cref="BatchBytes"/> for the caller to fill and give back with <see cref="HandOver"/>;
    /// waits while every batch is taken.
    /// </summary>
    public byte[] Rent()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        var batch = NextBatch(whole: true);
        // An appending caller's small first batch is set aside for a whole one; the count of batches stays as it was.
        return batch.Length == _batchBytes ? batch : new byte[_batchBytes];
    }

    /// <summary>
    /// Hashes the first <paramref name="length"/> bytes of a batch from <see cref="Rent"/>, after whatever was appended
    /// before; the batch is the digest's from now on, and comes back through <see cref="Rent"/> once hashed.
    /// </summary>
    public void HandOver(byte[] batch, int length)
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        ArgumentOutOfRangeException.ThrowIfNotEqual(batch.Length, _batchBytes, nameof(batch));
        ArgumentOutOfRangeException.ThrowIfGreaterThan((uint)length, (uint)batch.Length, nameof(length));
        Hand();
        _batches.Add(new Batch(batch, length));
    }

    /// <summary>The digest of everything appended and handed over; the digest takes nothing more after this.</summary>
    public byte[] Finish()
    {
        ObjectDisposedException.ThrowIf(_finished, this);
        Hand();
        _finished = true;
        _batches.CompleteAdding();
        _worker.Join();
        if (_failure is not null)
        {
            throw new CryptographicException("hashing the stream failed", _failure);
        }

        return _hash!.GetHashAndReset();
    }

    public void Dispose()
    {
        if (!_batches.IsAddingCompleted)
        {
            _batches.CompleteAdding();
        }

        _finished = true;
        _worker.Join();
        _batches.Dispose();
        _free.Dispose();
        _hash?.Dispose();
    }

    private byte[] NextBatch(bool whole = false)
    {
        if (_free.TryTake(out var reused))
        {
            return reused;
        }

        if (_allocated < _free.BoundedCapacity)
        {
            return new byte[_allocated++ == 0 && !whole ? FirstBatchBytes : _batchBytes];
        }

        return _free.Take();
    }

    private void Hand()
    {
        if (_current is null || _filled == 0)
        {
            return;
        }

        _batches.Add(new Batch(_current, _filled));
        _current = null;
        _filled = 0;
    }

    private void Hash()
    {
        try
        {
            _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        }
        catch (Exception exception)
        {
            _failure = exception;
        }

        foreach (var batch in _batches.GetConsumingEnumerable())
        {
            try
            {
                if (_failure is null)
                {
                    _hash!.AppendData(batch.Bytes, 0, batch.Length);
                }
            }
            catch (Exception exception)
            {
                // Kept for Finish to report: an exception escaping this thread would end the process instead.
                _failure = exception;
            }
            finally
            {
                _free.Add(batch.Bytes);
            }
        }
    }

    private readonly record struct Batch(byte[] Bytes, int Length);
}
