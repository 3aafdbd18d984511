using System.Security.Cryptography;
using System.Text;
using Subvol.Errors;
using Subvol.Names;

namespace Subvol.Encryption;

/// <summary>
/// What a person gives to unlock an encrypted subvolume: a passphrase (typed or read from a file) or a raw
/// 32- or 64-byte key file. It is held only as long as the command needs it and zeroed when disposed; no
/// message ever carries it. Files must be readable by their owner alone, as ssh(1) demands of a private key.
/// </summary>
public sealed class KeyMaterial : IDisposable
{
    private readonly byte[] _secret;

    private KeyMaterial(KeyKind kind, byte[] secret)
    {
        Kind = kind;
        _secret = secret;
    }

    public KeyKind Kind { get; }

    internal ReadOnlySpan<byte> Secret => _secret;

    /// <summary>A raw key: exactly 32 or 64 bytes, such as 'head -c 32 /dev/urandom' writes.</summary>
    public static KeyMaterial FromKeyFile(string path)
    {
        var bytes = ReadPrivateFile(path, "key file");
        if (bytes.Length is not (32 or 64))
        {
            var length = bytes.Length;
            CryptographicOperations.ZeroMemory(bytes);
            throw SubvolException.Invalid(
                $"key file {path} holds {length} bytes; a key file holds exactly 32 or 64 random bytes (make one with 'head -c 32 /dev/urandom > FILE; chmod 600 FILE')");
        }

        return new KeyMaterial(KeyKind.KeyFile, bytes);
    }

    /// <summary>A passphrase in a file, as scripts give one; a final line break is not part of it.</summary>
    public static KeyMaterial FromPassphraseFile(string path)
    {
        var bytes = ReadPrivateFile(path, "passphrase file");
        var length = bytes.Length;
        if (length > 0 && bytes[length - 1] == (byte)'\n')
        {
            length--;
            if (length > 0 && bytes[length - 1] == (byte)'\r')
            {
                length--;
            }
        }

        if (length == 0)
        {
            CryptographicOperations.ZeroMemory(bytes);
            throw SubvolException.Invalid($"passphrase file {path} is empty; write the passphrase into it");
        }

        var passphrase = GC.AllocateArray<byte>(length, pinned: true);
        bytes.AsSpan(0, length).CopyTo(passphrase);
        CryptographicOperations.ZeroMemory(bytes);
        return new KeyMaterial(KeyKind.Passphrase, passphrase);
    }

    /// <summary>A passphrase typed at a prompt; the caller zeroes its own copy.</summary>
    public static KeyMaterial FromPassphrase(ReadOnlySpan<char> passphrase)
    {
        if (passphrase.IsEmpty)
        {
            throw SubvolException.Invalid("the passphrase is empty; type one");
        }

        var bytes = new byte[Encoding.UTF8.GetByteCount(passphrase)];
        Encoding.UTF8.GetBytes(passphrase, bytes);
        return new KeyMaterial(KeyKind.Passphrase, bytes);
    }

    public void Dispose() => CryptographicOperations.ZeroMemory(_secret);

    /// <summary>
    /// Reads a key or passphrase file whole, into an array the collector does not move (so zeroing it leaves no copy
    /// behind), up to a size no key needs; a pipe ('--passphrase-file <(pass show x)') reads as well as a file.
    /// </summary>
    private static byte[] ReadPrivateFile(string path, string what)
    {
        try
        {
            // The mode is read from the descriptor the secret is read through, so a file swapped in between is not read.
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var status = Linux.ConfinedDirectory.Status(file, path);
            if ((status.Mode & 0x3F) != 0)
            {
                throw SubvolException.Invalid($"{what} {path} can be read by others (mode {Convert.ToString(status.Mode & 0xFFF, 8).PadLeft(4, '0')}); run 'chmod 600 {path}' and try again");
            }

            var buffer = GC.AllocateArray<byte>(MaximumFileSize + 1, pinned: true);
            using var stream = new FileStream(file, FileAccess.Read, bufferSize: 0);
            var length = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
            if (length > MaximumFileSize)
            {
                CryptographicOperations.ZeroMemory(buffer);
                throw SubvolException.Invalid($"{what} {path} holds more than {MaximumFileSize} bytes, more than a key or passphrase ever needs");
            }

            var bytes = GC.AllocateArray<byte>(length, pinned: true);
            buffer.AsSpan(0, length).CopyTo(bytes);
            CryptographicOperations.ZeroMemory(buffer);
            return bytes;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or Linux.SystemCallException)
        {
            throw ErrorTranslation.Translate(exception, path);
        }
    }

    private const int MaximumFileSize = 4096;
}
