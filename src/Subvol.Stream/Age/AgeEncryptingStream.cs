using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;
using System.Security.Cryptography;

namespace Subvol.Stream.Age;

/// <summary>
/// Writes what it is given as an age v1 file to the recipients named: the header at once, then the payload a 64 KiB
/// chunk at a time, in constant memory. Chunks are sealed and written by a thread of their own, a few batches behind
/// the writer, so that encryption runs beside the reading and hashing of a send instead of after it; they cross to it
/// a batch of 16 at a time, since a hand-over per 64 KiB chunk costs more in thread wake-ups than the sealing saves.
/// A full batch is held back until more data comes, because only <see cref="Complete"/> knows which chunk is the
/// last; a stream disposed without it ends without a last chunk, which every age reader refuses as cut short.
/// </summary>
public sealed class AgeEncryptingStream : System.IO.Stream
{
    /// <summary>Batches in flight between the writer and the sealing thread: enough to ride out a slow write, and small.</summary>
    private const int BatchesInFlight = 4;

    private const int ChunksPerBatch = 16;

    private const int BatchLength = ChunksPerBatch * AgeFormat.ChunkLength;

    private readonly System.IO.Stream output;
    private readonly ChaCha20Poly1305 aead;
    private readonly BlockingCollection<byte[]> free = new(BatchesInFlight);
    private readonly BlockingCollection<(byte[] Plaintext, int Length, bool Last)> toSeal = new(BatchesInFlight);
    private readonly List<byte[]> buffers = [];
    private readonly Thread sealer;
    private byte[] plaintext;
    private int buffered;
    private bool completed;
    private bool disposed;
    private long position;
    private Exception? failure;

    public AgeEncryptingStream(System.IO.Stream output, IReadOnlyList<AgeRecipient> recipients)
    {
        if (recipients.Count == 0)
        {
            throw new ArgumentException("an age file needs at least one recipient", nameof(recipients));
        }

        this.output = output;
        var fileKey = GC.AllocateArray<byte>(AgeFormat.FileKeyLength, pinned: true);
        try
        {
            RandomNumberGenerator.Fill(fileKey);
            AgeHeader.Write(output, recipients.Select(recipient => X25519Stanza.Wrap(recipient.PublicKey, fileKey)).ToList(), fileKey);
            Span<byte> nonce = stackalloc byte[AgeFormat.PayloadNonceLength];
            RandomNumberGenerator.Fill(nonce);
            output.Write(nonce);
            aead = AgePayload.Open(fileKey, nonce);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }

        for (var i = 0; i < BatchesInFlight; i++)
        {
            var buffer = GC.AllocateArray<byte>(BatchLength, pinned: true);
            buffers.Add(buffer);
            free.Add(buffer);
        }

        plaintext = free.Take();
        sealer = new Thread(SealChunks) { IsBackground = true, Name = "age chunk sealer" };
        sealer.Start();
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !completed && !disposed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(completed || disposed, this);
        while (!buffer.IsEmpty)
        {
            if (buffered == BatchLength)
            {
                HandOver(last: false);
                plaintext = free.Take();
            }

            var count = Math.Min(buffer.Length, BatchLength - buffered);
            buffer[..count].CopyTo(plaintext.AsSpan(buffered));
            buffered += count;
            position += count;
            buffer = buffer[count..];
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>
    /// Seals what is held as the last chunk (empty only when nothing was written), waits until every chunk is written,
    /// and flushes the output; a write that failed on the way fails here.
    /// </summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (completed)
        {
            return;
        }

        HandOver(last: true);
        completed = true;
        toSeal.CompleteAdding();
        sealer.Join();
        ThrowIfFailed();
        output.Flush();
    }

    /// <summary>
    /// Only reports a failed write: the chunks on their way are written by the sealing thread, and the one held back
    /// may be the last, so the output is flushed by <see cref="Complete"/>.
    /// </summary>
    public override void Flush() => ThrowIfFailed();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && !disposed)
        {
            disposed = true;
            if (!toSeal.IsAddingCompleted)
            {
                toSeal.CompleteAdding();
            }

            sealer.Join();
            foreach (var buffer in buffers)
            {
                CryptographicOperations.ZeroMemory(buffer);
            }

            aead.Dispose();
            toSeal.Dispose();
            free.Dispose();
        }

        base.Dispose(disposing);
    }

    private void HandOver(bool last)
    {
        ThrowIfFailed();
        toSeal.Add((plaintext, buffered, last));
        buffered = 0;
    }

    private void ThrowIfFailed()
    {
        // The sealing thread's own exception, so that a full disk or a closed pipe reads as it would without encryption.
        if (Volatile.Read(ref failure) is { } error)
        {
            ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>
    /// The sealing thread: seals each batch's chunks in order and writes them with one call; after a failure it only
    /// hands buffers back, so the writer never waits forever. Only the last batch holds the last chunk, which may be full,
    /// and is empty only when the whole payload is.
    /// </summary>
    private void SealChunks()
    {
        var sealedBatch = new byte[ChunksPerBatch * AgeFormat.SealedChunkLength];
        Span<byte> nonce = stackalloc byte[AgeFormat.AeadNonceLength];
        ulong counter = 0;
        foreach (var (chunk, length, last) in toSeal.GetConsumingEnumerable())
        {
            if (Volatile.Read(ref failure) is null)
            {
                try
                {
                    var sealedLength = 0;
                    var offset = 0;
                    do
                    {
                        var chunkLength = Math.Min(AgeFormat.ChunkLength, length - offset);
                        AgePayload.ChunkNonce(nonce, counter++, last && offset + chunkLength == length);
                        aead.Encrypt(
                            nonce,
                            chunk.AsSpan(offset, chunkLength),
                            sealedBatch.AsSpan(sealedLength, chunkLength),
                            sealedBatch.AsSpan(sealedLength + chunkLength, AgeFormat.TagLength));
                        sealedLength += chunkLength + AgeFormat.TagLength;
                        offset += chunkLength;
                    }
                    while (offset < length);

                    output.Write(sealedBatch, 0, sealedLength);
                }
                catch (Exception exception)
                {
                    Volatile.Write(ref failure, exception);
                }
            }

            CryptographicOperations.ZeroMemory(chunk.AsSpan(0, length));
            if (!last)
            {
                free.Add(chunk);
            }
        }
    }
}
