using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Subvol.Stream.Age;

/// <summary>
/// The X25519 recipient stanza: an ephemeral key agreement with the recipient's public key, HKDF-SHA-256 over the
/// shared secret (salted with both public keys) for a wrap key, and the file key sealed with ChaCha20-Poly1305
/// under it and a zero nonce.
/// </summary>
internal static class X25519Stanza
{
    private const int WrappedLength = AgeFormat.FileKeyLength + AgeFormat.TagLength;

    public static AgeStanza Wrap(ReadOnlySpan<byte> recipient, ReadOnlySpan<byte> fileKey)
    {
        Span<byte> ephemeral = stackalloc byte[X25519.ScalarSize];
        Span<byte> share = stackalloc byte[X25519.PointSize];
        Span<byte> secret = stackalloc byte[X25519.PointSize];
        Span<byte> wrapKey = stackalloc byte[AgeFormat.KeyLength];
        try
        {
            RandomNumberGenerator.Fill(ephemeral);
            X25519.ScalarMultBase(ephemeral, share);
            if (!X25519.CalculateAgreement(ephemeral, recipient, secret))
            {
                throw new ArgumentException("the recipient's public key is a point of small order, which no real key is");
            }

            DeriveWrapKey(secret, share, recipient, wrapKey);
            var body = new byte[WrappedLength];
            using var aead = new ChaCha20Poly1305(wrapKey);
            aead.Encrypt(stackalloc byte[AgeFormat.AeadNonceLength], fileKey, body.AsSpan(0, AgeFormat.FileKeyLength), body.AsSpan(AgeFormat.FileKeyLength));
            return new AgeStanza(AgeFormat.X25519StanzaType, [RawBase64.Encode(share)], body);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(ephemeral);
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(wrapKey);
        }
    }

    /// <summary>
    /// Unwraps the file key into <paramref name="fileKey"/> when the stanza was made for this identity; false when it was
    /// made for another recipient. A stanza that breaks the format's rules is refused.
    /// </summary>
    public static bool TryUnwrap(AgeStanza stanza, ReadOnlySpan<byte> secretKey, ReadOnlySpan<byte> publicKey, Span<byte> fileKey)
    {
        if (stanza.Arguments.Count != 1 || RawBase64.TryDecode(stanza.Arguments[0]) is not { Length: X25519.PointSize } share || stanza.Body.Length != WrappedLength)
        {
            throw new AgeFormatException(AgeFormatError.MalformedHeader, "not a valid age header: an X25519 stanza needs one 32-byte share and a 32-byte body");
        }

        Span<byte> secret = stackalloc byte[X25519.PointSize];
        Span<byte> wrapKey = stackalloc byte[AgeFormat.KeyLength];
        try
        {
            if (!X25519.CalculateAgreement(secretKey, share, secret))
            {
                throw new AgeFormatException(AgeFormatError.MalformedHeader, "not a valid age header: an X25519 stanza's share is a point of small order");
            }

            DeriveWrapKey(secret, share, publicKey, wrapKey);
            using var aead = new ChaCha20Poly1305(wrapKey);
            aead.Decrypt(stackalloc byte[AgeFormat.AeadNonceLength], stanza.Body.AsSpan(0, AgeFormat.FileKeyLength), stanza.Body.AsSpan(AgeFormat.FileKeyLength), fileKey);
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
            CryptographicOperations.ZeroMemory(wrapKey);
        }
    }

    private static void DeriveWrapKey(ReadOnlySpan<byte> secret, ReadOnlySpan<byte> share, ReadOnlySpan<byte> recipient, Span<byte> wrapKey)
    {
        Span<byte> salt = stackalloc byte[share.Length + recipient.Length];
        share.CopyTo(salt);
        recipient.CopyTo(salt[share.Length..]);
        HKDF.DeriveKey(HashAlgorithmName.SHA256, secret, wrapKey, salt, AgeFormat.X25519Label);
    }
}
