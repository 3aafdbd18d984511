using System.Buffers.Binary;
using System.Security.Cryptography;
using Konscious.Security.Cryptography;
using Subvol.Errors;

namespace Subvol.Encryption;

/// <summary>
/// An encrypted subvolume's master key as it is stored and sent: wrapped with AES-256-GCM under a key derived from
/// the passphrase (Argon2id, RFC 9106) or the key file (HKDF-SHA256, RFC 5869). The blob says everything needed to
/// unwrap it but the secret; its header is the AEAD's associated data, so no parameter can be changed unnoticed.
/// docs/encryption.md describes it byte by byte:
///
///     0   4  magic "SVWK"
///     4   1  format, 1
///     5   1  kind: 1 passphrase (Argon2id), 2 key file (HKDF-SHA256)
///     6   2  zero
///     8   4  Argon2id memory in KiB (little-endian; zero for a key file)
///     12  4  Argon2id passes
///     16  4  Argon2id lanes
///     20  16 salt
///     36  16 the fscrypt key identifier of the master key
///     52  12 nonce
///     64  80 the 64-byte master key, encrypted, and the 16-byte tag
/// </summary>
internal static class WrappedKey
{
    public const int Size = 144;

    private const int HeaderSize = 64;
    private const int SaltSize = 16;
    private const int NonceSize = 12;
    private const int TagSize = 16;
    private const byte Format = 1;

    // RFC 9106, section 4, the second recommended option: 64 MiB, 3 passes, 4 lanes.
    private const int MemoryKiB = 64 * 1024;
    private const int Passes = 3;
    private const int Lanes = 4;

    // Bounds on what a blob from elsewhere (a stream, an attribute) may ask of this machine.
    private const int MaximumMemoryKiB = 4 * 1024 * 1024;
    private const int MaximumPasses = 64;
    private const int MaximumLanes = 64;

    private static ReadOnlySpan<byte> Magic => "SVWK"u8;

    private static ReadOnlySpan<byte> KeyFileContext => "subvol wrapping key"u8;

    /// <summary>Wraps <paramref name="masterKey"/> under <paramref name="material"/> with a new salt and nonce.</summary>
    public static byte[] Wrap(ReadOnlySpan<byte> masterKey, KeyMaterial material)
    {
        if (masterKey.Length != Linux.FileSystemEncryption.MasterKeySize)
        {
            throw new ArgumentException($"a master key has {Linux.FileSystemEncryption.MasterKeySize} bytes", nameof(masterKey));
        }

        var blob = new byte[Size];
        Magic.CopyTo(blob);
        blob[4] = Format;
        blob[5] = (byte)material.Kind;
        if (material.Kind == KeyKind.Passphrase)
        {
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(8), MemoryKiB);
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(12), Passes);
            BinaryPrimitives.WriteInt32LittleEndian(blob.AsSpan(16), Lanes);
        }

        RandomNumberGenerator.Fill(blob.AsSpan(20, SaltSize));
        KeyIdentifier.Of(masterKey).CopyTo(blob.AsSpan(36));
        RandomNumberGenerator.Fill(blob.AsSpan(52, NonceSize));
        var wrappingKey = WrappingKey(blob, material);
        try
        {
            using var aes = new AesGcm(wrappingKey, TagSize);
            aes.Encrypt(blob.AsSpan(52, NonceSize), masterKey, blob.AsSpan(HeaderSize, masterKey.Length), blob.AsSpan(HeaderSize + masterKey.Length, TagSize), blob.AsSpan(0, HeaderSize));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappingKey);
        }

        return blob;
    }

    /// <summary>The master key, which the caller zeroes after use.</summary>
    /// <param name="what">Names the image in errors, as "subvolume 'home'".</param>
    /// <exception cref="SubvolException">The blob is damaged, or <paramref name="material"/> is not what wrapped it.</exception>
    public static byte[] Unwrap(ReadOnlySpan<byte> blob, KeyMaterial material, string what)
    {
        var kind = Check(blob, what);
        if (kind != material.Kind)
        {
            throw SubvolException.Invalid(kind == KeyKind.Passphrase
                ? $"{what} is locked with a passphrase, not a key file; give --passphrase-file or --passphrase"
                : $"{what} is locked with a key file, not a passphrase; give --key-file");
        }

        var masterKey = new byte[Linux.FileSystemEncryption.MasterKeySize];
        var wrappingKey = WrappingKey(blob, material);
        try
        {
            using var aes = new AesGcm(wrappingKey, TagSize);
            aes.Decrypt(blob.Slice(52, NonceSize), blob.Slice(HeaderSize, masterKey.Length), blob.Slice(HeaderSize + masterKey.Length, TagSize), masterKey, blob[..HeaderSize]);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw SubvolException.Invalid(kind == KeyKind.Passphrase
                ? $"the passphrase does not unlock {what}; nothing was changed"
                : $"the key file does not unlock {what}; nothing was changed");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrappingKey);
        }

        if (!KeyIdentifier.Of(masterKey).AsSpan().SequenceEqual(Identifier(blob)))
        {
            CryptographicOperations.ZeroMemory(masterKey);
            throw SubvolException.Inconsistent($"the wrapped key of {what} names another key than the one it holds; it is damaged");
        }

        return masterKey;
    }

    /// <summary>The fscrypt key identifier the blob records, which names the key in the filesystem's keyring.</summary>
    public static ReadOnlySpan<byte> Identifier(ReadOnlySpan<byte> blob) => blob.Slice(36, Linux.FileSystemEncryption.KeyIdentifierSize);

    /// <summary>What unlocks the key: a passphrase or a key file.</summary>
    public static KeyKind KindOf(ReadOnlySpan<byte> blob, string what) => Check(blob, what);

    /// <summary>Checks the blob's shape and its parameters' bounds before any work is spent on it; returns its kind.</summary>
    private static KeyKind Check(ReadOnlySpan<byte> blob, string what)
    {
        if (blob.Length != Size || !blob[..4].SequenceEqual(Magic) || blob[4] != Format)
        {
            throw SubvolException.Inconsistent($"the wrapped key of {what} is not one this subvol can read");
        }

        var kind = (KeyKind)blob[5];
        var memory = BinaryPrimitives.ReadInt32LittleEndian(blob[8..]);
        var passes = BinaryPrimitives.ReadInt32LittleEndian(blob[12..]);
        var lanes = BinaryPrimitives.ReadInt32LittleEndian(blob[16..]);
        var sound = kind switch
        {
            KeyKind.Passphrase => lanes is >= 1 and <= MaximumLanes && passes is >= 1 and <= MaximumPasses && memory >= 8 * lanes && memory <= MaximumMemoryKiB,
            KeyKind.KeyFile => memory == 0 && passes == 0 && lanes == 0,
            _ => false,
        };
        return sound ? kind : throw SubvolException.Inconsistent($"the wrapped key of {what} has parameters this subvol does not accept");
    }

    private static byte[] WrappingKey(ReadOnlySpan<byte> blob, KeyMaterial material)
    {
        var salt = blob.Slice(20, SaltSize).ToArray();
        if (material.Kind == KeyKind.KeyFile)
        {
            var key = new byte[32];
            HKDF.DeriveKey(HashAlgorithmName.SHA256, material.Secret, key, salt, KeyFileContext);
            return key;
        }

        var passphrase = material.Secret.ToArray();
        try
        {
            using var argon2 = new Argon2id(passphrase)
            {
                Salt = salt,
                MemorySize = BinaryPrimitives.ReadInt32LittleEndian(blob[8..]),
                Iterations = BinaryPrimitives.ReadInt32LittleEndian(blob[12..]),
                DegreeOfParallelism = BinaryPrimitives.ReadInt32LittleEndian(blob[16..]),
            };
            return argon2.GetBytes(32);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(passphrase);
        }
    }
}
