using Subvol.Stream.Age;

namespace Subvol.Stream.Tests.Age;

/// <summary>Keys and files for the age tests, made with Subvol's own code from fixed bytes, so that no test needs the age tool.</summary>
internal static class AgeSamples
{
    public const int Chunk = 64 * 1024;

    public static AgeIdentity Identity(byte seed)
    {
        var key = new byte[32];
        new Random(seed).NextBytes(key);
        return new AgeIdentity(key);
    }

    public static byte[] Plaintext(int length, int seed = 7)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    public static byte[] Encrypt(byte[] plaintext, params AgeRecipient[] recipients)
    {
        var output = new MemoryStream();
        using (var encrypting = new AgeEncryptingStream(output, recipients))
        {
            encrypting.Write(plaintext);
            encrypting.Complete();
        }

        return output.ToArray();
    }

    public static byte[] Decrypt(byte[] encrypted, params AgeIdentity[] identities) => Decrypt(new MemoryStream(encrypted), identities);

    public static byte[] Decrypt(System.IO.Stream encrypted, params AgeIdentity[] identities)
    {
        using var decrypting = AgeDecryptingStream.Open(encrypted, identities);
        var plaintext = new MemoryStream();
        decrypting.CopyTo(plaintext);
        return plaintext.ToArray();
    }

    /// <summary>Where the payload starts: after the header's MAC line and the 16-byte nonce.</summary>
    public static int PayloadStart(byte[] encrypted)
    {
        var mac = encrypted.AsSpan().IndexOf("\n--- "u8);
        return mac + 1 + encrypted.AsSpan(mac + 1).IndexOf((byte)'\n') + 1 + 16;
    }
}
