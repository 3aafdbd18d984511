using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Subvol.Stream.Age;

/// <summary>
/// The STREAM construction of age's payload: 64 KiB chunks, each sealed with ChaCha20-Poly1305 under the payload key
/// and a nonce of an 11-byte big-endian chunk counter and a flag byte that is 1 only for the last chunk, so chunks
/// can be neither reordered, dropped nor cut off unnoticed.
/// </summary>
internal static class AgePayload
{
    /// <summary>The payload key: HKDF-SHA-256 of the file key, salted with the payload's nonce, labelled "payload".</summary>
    public static ChaCha20Poly1305 Open(ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> nonce)
    {
        if (!ChaCha20Poly1305.IsSupported)
        {
            throw new PlatformNotSupportedException("this system's cryptography library has no ChaCha20-Poly1305, which age streams need");
        }

        Span<byte> key = stackalloc byte[AgeFormat.KeyLength];
        try
        {
            HKDF.DeriveKey(HashAlgorithmName.SHA256, fileKey, key, nonce, AgeFormat.PayloadLabel);
            return new ChaCha20Poly1305(key);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    public static void ChunkNonce(Span<byte> nonce, ulong counter, bool last)
    {
        nonce.Clear();
        // The counter is 88 bits wide; 64 of them reach beyond any stream's length.
        BinaryPrimitives.WriteUInt64BigEndian(nonce[3..11], counter);
        nonce[11] = last ? (byte)1 : (byte)0;
    }
}
