using System.Security.Cryptography;

namespace Subvol.Encryption;

/// <summary>
/// The identifier by which fscrypt names a v2 master key: HKDF-SHA512 of the key with no salt and the info
/// "fscrypt\0" followed by context byte 1 (fs/crypto/keyring.c and hkdf.c, HKDF_CONTEXT_KEY_IDENTIFIER).
/// Computing it here lets the pool name a key before any filesystem holds it; the kernel's own answer is checked against it.
/// </summary>
internal static class KeyIdentifier
{
    private static ReadOnlySpan<byte> Info => "fscrypt\0\u0001"u8;

    public static byte[] Of(ReadOnlySpan<byte> masterKey)
    {
        var identifier = new byte[Linux.FileSystemEncryption.KeyIdentifierSize];
        HKDF.DeriveKey(HashAlgorithmName.SHA512, masterKey, identifier, ReadOnlySpan<byte>.Empty, Info);
        return identifier;
    }
}
