using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// fscrypt v2 (https://docs.kernel.org/filesystems/fscrypt.html): a directory's policy names a master key by
/// its identifier, and the key itself lives in the mounted filesystem's keyring from the time it is added
/// until it is removed or the filesystem is unmounted. Every call takes a path on that filesystem.
/// </summary>
public static class FileSystemEncryption
{
    public const int KeyIdentifierSize = Interop.Libc.FSCRYPT_KEY_IDENTIFIER_SIZE;

    /// <summary>The master key size for AES-256-XTS contents, which the kernel requires at least for that mode.</summary>
    public const int MasterKeySize = 64;

    /// <summary>Adds a master key to the keyring of the filesystem holding <paramref name="path"/>; returns the identifier the kernel derived.</summary>
    public static unsafe byte[] AddKey(string path, ReadOnlySpan<byte> masterKey)
    {
        // The argument and the raw key after it, in memory this method zeroes before it returns.
        var size = sizeof(Interop.Libc.FscryptAddKeyArg) + masterKey.Length;
        var buffer = stackalloc byte[size];
        var span = new Span<byte>(buffer, size);
        try
        {
            span.Clear();
            var argument = (Interop.Libc.FscryptAddKeyArg*)buffer;
            argument->key_spec.type = Interop.Libc.FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
            argument->raw_size = (uint)masterKey.Length;
            masterKey.CopyTo(span[sizeof(Interop.Libc.FscryptAddKeyArg)..]);
            using var file = Open(path);
            Interop.CheckIo(Interop.Libc.IoctlAddEncryptionKey(file, Interop.Libc.FS_IOC_ADD_ENCRYPTION_KEY, argument), "FS_IOC_ADD_ENCRYPTION_KEY", path);
            return new ReadOnlySpan<byte>(argument->key_spec.u, KeyIdentifierSize).ToArray();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(span);
        }
    }

    /// <summary>
    /// Removes the key from the filesystem's keyring, which wipes it and locks the files it opens; false when
    /// files were still open, which stay readable until closed (FSCRYPT_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY).
    /// </summary>
    public static unsafe bool RemoveKey(string path, ReadOnlySpan<byte> identifier)
    {
        Interop.Libc.FscryptRemoveKeyArg argument = default;
        argument.key_spec = Specifier(identifier);
        using var file = Open(path);
        Interop.CheckIo(Interop.Libc.IoctlRemoveEncryptionKey(file, Interop.Libc.FS_IOC_REMOVE_ENCRYPTION_KEY, &argument), "FS_IOC_REMOVE_ENCRYPTION_KEY", path);
        return (argument.removal_status_flags & Interop.Libc.FSCRYPT_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY) == 0;
    }

    public static unsafe EncryptionKeyStatus KeyStatus(string path, ReadOnlySpan<byte> identifier)
    {
        Interop.Libc.FscryptGetKeyStatusArg argument = default;
        argument.key_spec = Specifier(identifier);
        using var file = Open(path);
        Interop.CheckIo(Interop.Libc.IoctlGetEncryptionKeyStatus(file, Interop.Libc.FS_IOC_GET_ENCRYPTION_KEY_STATUS, &argument), "FS_IOC_GET_ENCRYPTION_KEY_STATUS", path);
        return (EncryptionKeyStatus)argument.status;
    }

    /// <summary>
    /// Gives the empty directory <paramref name="directory"/> a v2 policy with the kernel's recommended modes
    /// (AES-256-XTS for contents, AES-256-CTS for names) and names padded to 32 bytes, which hides their lengths best.
    /// </summary>
    public static unsafe void SetPolicy(string directory, ReadOnlySpan<byte> identifier)
    {
        Interop.Libc.FscryptPolicyV2 policy = default;
        policy.version = Interop.Libc.FSCRYPT_POLICY_V2;
        policy.contents_encryption_mode = Interop.Libc.FSCRYPT_MODE_AES_256_XTS;
        policy.filenames_encryption_mode = Interop.Libc.FSCRYPT_MODE_AES_256_CTS;
        policy.flags = Interop.Libc.FSCRYPT_POLICY_FLAGS_PAD_32;
        CheckIdentifier(identifier);
        identifier.CopyTo(new Span<byte>(policy.master_key_identifier, KeyIdentifierSize));
        using var file = Open(directory);
        Interop.CheckIo(Interop.Libc.IoctlSetEncryptionPolicy(file, Interop.Libc.FS_IOC_SET_ENCRYPTION_POLICY, &policy), "FS_IOC_SET_ENCRYPTION_POLICY", directory);
    }

    /// <summary>The directory's policy, or null when it has none (ENODATA) or its filesystem has no fscrypt (ENOTTY, EOPNOTSUPP).</summary>
    public static unsafe EncryptionPolicy? GetPolicy(string directory)
    {
        Interop.Libc.FscryptGetPolicyExArg argument = default;
        argument.policy_size = (ulong)sizeof(Interop.Libc.FscryptPolicyV2);
        using var file = Open(directory);
        if (Interop.Libc.IoctlGetEncryptionPolicyEx(file, Interop.Libc.FS_IOC_GET_ENCRYPTION_POLICY_EX, &argument) != 0)
        {
            var exception = Interop.GetExceptionForLastError("FS_IOC_GET_ENCRYPTION_POLICY_EX", directory);
            return exception.Errno is Errno.ENODATA or Errno.ENOTTY or Errno.EOPNOTSUPP ? null : throw exception;
        }

        var policy = argument.policy;
        return new EncryptionPolicy(policy.version, policy.contents_encryption_mode, policy.filenames_encryption_mode, policy.flags,
            policy.version == Interop.Libc.FSCRYPT_POLICY_V2 ? new ReadOnlySpan<byte>(policy.master_key_identifier, KeyIdentifierSize).ToArray() : []);
    }

    private static unsafe Interop.Libc.FscryptKeySpecifier Specifier(ReadOnlySpan<byte> identifier)
    {
        CheckIdentifier(identifier);
        Interop.Libc.FscryptKeySpecifier specifier = default;
        specifier.type = Interop.Libc.FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
        identifier.CopyTo(new Span<byte>(specifier.u, KeyIdentifierSize));
        return specifier;
    }

    private static void CheckIdentifier(ReadOnlySpan<byte> identifier)
    {
        if (identifier.Length != KeyIdentifierSize)
        {
            throw new ArgumentException($"a key identifier has {KeyIdentifierSize} bytes, not {identifier.Length}", nameof(identifier));
        }
    }

    // Read-only: every fscrypt ioctl works on a descriptor of any file or directory of the filesystem.
    private static SafeFileHandle Open(string path) =>
        Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY | Interop.Libc.O_CLOEXEC, 0), "open", path);
}
