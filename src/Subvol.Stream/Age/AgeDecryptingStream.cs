using System.Security.Cryptography;

namespace Subvol.Stream.Age;

/// <summary>
/// Reads an age v1 file with the identities given: the header is read, its file key unwrapped and its MAC checked
/// before <see cref="Open"/> returns; then the payload is read a 64 KiB chunk at a time, in constant memory, and no
/// byte of a chunk is handed on before the chunk's tag is verified. A payload cut short, changed, or followed by
/// anything ends in an <see cref="AgeFormatException"/>, which <see cref="Failure"/> keeps for whoever reads
/// through layers that translate exceptions.
/// </summary>
public sealed class AgeDecryptingStream : System.IO.Stream
{
    private readonly System.IO.Stream input;
    private readonly ChaCha20Poly1305 aead;
    private readonly byte[] sealedChunk = new byte[AgeFormat.SealedChunkLength];
    private readonly byte[] plaintext = GC.AllocateArray<byte>(AgeFormat.ChunkLength, pinned: true);
    private int available;
    private int served;
    private ulong counter;
    private bool ended;
    private long position;

    private AgeDecryptingStream(System.IO.Stream input, ChaCha20Poly1305 aead)
    {
        this.input = input;
        this.aead = aead;
    }

    /// <summary>The refusal that ended reading, if one did.</summary>
    public AgeFormatException? Failure { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => position;
        set => throw new NotSupportedException();
    }

    /// <summary>Reads the header and opens the payload with whichever of <paramref name="identities"/> the file was encrypted to.</summary>
    /// <exception cref="AgeFormatException">The header is malformed, no identity opens it, or its MAC does not match.</exception>
    public static AgeDecryptingStream Open(System.IO.Stream input, IReadOnlyList<AgeIdentity> identities)
    {
        var header = AgeHeader.Read(input);
        if (header.Stanzas.Any(stanza => stanza.Type == AgeFormat.ScryptStanzaType))
        {
            throw new AgeFormatException(AgeFormatError.Unsupported,
                "this age file is encrypted with a passphrase, which Subvol does not read; decrypt it with age -d and pipe the stream in");
        }

        var fileKey = GC.AllocateArray<byte>(AgeFormat.FileKeyLength, pinned: true);
        try
        {
            if (!header.Stanzas.Any(stanza => identities.Any(identity => identity.TryUnwrap(stanza, fileKey))))
            {
                var recipients = header.Stanzas.Count(stanza => stanza.Type == AgeFormat.X25519StanzaType);
                throw new AgeFormatException(AgeFormatError.NoMatchingIdentity,
                    $"no identity given opens this age stream: it is encrypted to {recipients} X25519 recipient{(recipients == 1 ? "" : "s")}{(header.Stanzas.Count > recipients ? " and others" : "")}, none of them {(identities.Count == 1 ? "this identity" : $"these {identities.Count} identities")}");
            }

            if (!header.MacMatches(fileKey))
            {
                throw new AgeFormatException(AgeFormatError.HeaderMacMismatch, "the age header's MAC does not match: the header was changed or damaged after it was written");
            }

            Span<byte> nonce = stackalloc byte[AgeFormat.PayloadNonceLength];
            if (input.ReadAtLeast(nonce, nonce.Length, throwOnEndOfStream: false) < nonce.Length)
            {
                throw new AgeFormatException(AgeFormatError.Truncated, "the age stream ends after its header, before its payload: it was cut short");
            }

            return new AgeDecryptingStream(input, AgePayload.Open(fileKey, nonce));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(fileKey);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        if (served == available)
        {
            if (ended || buffer.IsEmpty)
            {
                return 0;
            }

            NextChunk();
        }

        var count = Math.Min(buffer.Length, available - served);
        plaintext.AsSpan(served, count).CopyTo(buffer);
        served += count;
        position += count;
        return count;
    }

    public override void Flush()
    {
    }

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

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

    /// <summary>
    /// Reads and opens the next chunk. A full chunk is tried as a middle chunk first and then as the last one, so that
    /// the reader never waits for bytes beyond a chunk before handing it on; a shorter one can only be the last.
    /// </summary>
    private void NextChunk()
    {
        var length = input.ReadAtLeast(sealedChunk, sealedChunk.Length, throwOnEndOfStream: false);
        if (length == 0)
        {
            throw Fail(AgeFormatError.Truncated, counter == 0
                ? "the age stream ends after its header, before its payload: it was cut short"
                : $"the age stream ends after chunk {counter} without its last chunk: it was cut short");
        }

        if (length < AgeFormat.TagLength)
        {
            throw Fail(AgeFormatError.Truncated, $"the age stream ends inside chunk {counter + 1}: it was cut short");
        }

        if (length == sealedChunk.Length && TryOpen(length, last: false))
        {
            return;
        }

        if (!TryOpen(length, last: true))
        {
            throw Fail(AgeFormatError.ChunkAuthenticationFailed,
                $"chunk {counter + 1} of the age stream (payload bytes {(long)counter * AgeFormat.SealedChunkLength} to {(long)counter * AgeFormat.SealedChunkLength + length}) fails authentication: the stream was changed, damaged or cut short after it was encrypted");
        }

        ended = true;
        if (available == 0 && counter > 1)
        {
            throw Fail(AgeFormatError.ChunkAuthenticationFailed, $"the age stream's last chunk, chunk {counter}, is empty, which only an empty payload may have");
        }

        if (input.ReadByte() >= 0)
        {
            throw Fail(AgeFormatError.TrailingData, $"the age stream goes on after its last chunk, chunk {counter}: something was appended to it");
        }
    }

    private bool TryOpen(int length, bool last)
    {
        Span<byte> nonce = stackalloc byte[AgeFormat.AeadNonceLength];
        AgePayload.ChunkNonce(nonce, counter, last);
        var data = length - AgeFormat.TagLength;
        try
        {
            aead.Decrypt(nonce, sealedChunk.AsSpan(0, data), sealedChunk.AsSpan(data, AgeFormat.TagLength), plaintext.AsSpan(0, data));
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }

        counter++;
        available = data;
        served = 0;
        return true;
    }

    private AgeFormatException Fail(AgeFormatError error, string message) => Failure = new AgeFormatException(error, message);
}
