using System.Collections.Concurrent;
using System.Security.Cryptography;

namespace Subvol.Stream;

/// <summary>
/// The SHA-256 of every stream byte, computed on a thread of its own. It costs about as much CPU as the rest of
/// reading or writing a record together, so a sender or receiver that hashed inline would keep the pipe waiting
/// while a second core sat idle. Bytes are copied into batches, so the caller may reuse its buffer at once and the
/// thread is woken once per batch, not per record; the batches are few and reused, so memory stays bounded whatever
/// the stream's length, and a caller that runs ahead waits for one to come back. The hash itself is made on that
/// thread too: loading the system's crypto library takes milliseconds, and a sender's header need not wait for them.
/// </summary>
public sealed class StreamDigest : IDisposable
{
    private const int BatchBytes = 256 << 10;

    /// <summary>The first batch is small: a stream refused at its first records should cost little memory.</summary>
    private const int FirstBatchBytes = 16 << 10;

    /// <summary>The batches a reader's digest keeps: one being filled, the rest waiting or being hashed; a mebibyte in all.</summary>
    public const int ReaderBatches = 4;

    /// <summary>
    /// The batches a writer's digest keeps, 16 MiB: they let the hash catch up while the writer waits for its disk,
    /// and the writer run on while the hash waits for a core. With a reader's mebibyte, a cold full send of 16 GiB
    /// took an eighth longer. A reader takes its bytes from a pipe, and keeps less memory for a stream it may refuse.
    /// </summary>
    public const int WriterBatches = 64;

    private readonly BlockingCollection<Batch> _batches;
    private readonly BlockingCollection<byte[]> _free;
    private int _allocated;
    private IncrementalHash? _hash;
    private readonly Thread _worker;
    private byte[]? _current;
    private int _filled;
    private Exception? _failure;
    private bool _finished;

    /// <param name="batches">How many batches there ever are: <see cref="ReaderBatches"/> or <see cref="WriterBatches"/>.</param>
    public StreamDigest(int batches)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batches, 2);
        _batches = new BlockingCollection<Batch>(batches);
        _free = new BlockingCollection<byte[]>(batches);
        _worker = new Thread(Hash) { IsBackground = true, Name = "stream digest" };
        _worker.Start();
    }

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

    /// <summary>The digest of everything appended; the digest takes nothing more after this.</summary>
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

    private byte[] NextBatch()
    {
        if (_free.TryTake(out var reused))
        {
            return reused;
        }

        if (_allocated < _free.BoundedCapacity)
        {
            return new byte[_allocated++ == 0 ? FirstBatchBytes : BatchBytes];
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
