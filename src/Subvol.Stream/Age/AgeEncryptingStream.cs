using System.Security.Cryptography;

namespace Subvol.Stream.Age;

/// <summary>
/// Writes what it is given as an age v1 file to the recipients named: the header at once, then the payload a 64 KiB
/// chunk at a time, in constant memory. A full chunk is held back until more data comes, because only
/// <see cref="Complete"/> knows which chunk is the last; a stream disposed without it ends without a last chunk,
/// which every age reader refuses as cut short.
/// </summary>
public sealed class AgeEncryptingStream : System.IO.Stream
{
    private readonly System.IO.Stream output;
    private readonly ChaCha20Poly1305 aead;
    private readonly byte[] plaintext = GC.AllocateArray<byte>(AgeFormat.ChunkLength, pinned: true);
    private readonly byte[] sealedChunk = new byte[AgeFormat.SealedChunkLength];
    private int buffered;
    private ulong counter;
    private bool completed;
    private long position;

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
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => !completed;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(completed, this);
        while (!buffer.IsEmpty)
        {
            if (buffered == AgeFormat.ChunkLength)
            {
                Seal(last: false);
            }

            var count = Math.Min(buffer.Length, AgeFormat.ChunkLength - buffered);
            buffer[..count].CopyTo(plaintext.AsSpan(buffered));
            buffered += count;
            position += count;
            buffer = buffer[count..];
        }
    }

    public override void WriteByte(byte value) => Write([value]);

    /// <summary>Seals what is held as the last chunk (empty only when nothing was written) and flushes the output.</summary>
    public void Complete()
    {
        if (!completed)
        {
            Seal(last: true);
            completed = true;
            output.Flush();
        }
    }

    /// <summary>Flushes the chunks sealed so far; the one held back waits, since it may be the last.</summary>
    public override void Flush() => output.Flush();

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            CryptographicOperations.ZeroMemory(plaintext);
            aead.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Seal(bool last)
    {
        Span<byte> nonce = stackalloc byte[AgeFormat.AeadNonceLength];
        AgePayload.ChunkNonce(nonce, counter++, last);
        aead.Encrypt(nonce, plaintext.AsSpan(0, buffered), sealedChunk.AsSpan(0, buffered), sealedChunk.AsSpan(buffered, AgeFormat.TagLength));
        output.Write(sealedChunk, 0, buffered + AgeFormat.TagLength);
        buffered = 0;
    }
}
