using System.Security.Cryptography;
using Org.BouncyCastle.Math.EC.Rfc7748;

namespace Subvol.Stream.Age;

/// <summary>
/// An age X25519 identity: a private key, written AGE-SECRET-KEY-1… in Bech32. Its bytes live in one pinned array,
/// so the garbage collector never leaves copies behind, and disposing zeroes them.
/// </summary>
public sealed class AgeIdentity : IDisposable
{
    private readonly byte[] secretKey = GC.AllocateArray<byte>(X25519.ScalarSize, pinned: true);
    private readonly byte[] publicKey = new byte[X25519.PointSize];

    internal AgeIdentity(ReadOnlySpan<byte> secretKey)
    {
        secretKey.CopyTo(this.secretKey);
        X25519.ScalarMultBase(this.secretKey, publicKey);
    }

    /// <summary>The recipient whose stanzas this identity opens.</summary>
    public AgeRecipient Recipient => new(publicKey);

    /// <summary>Reads one identity line (AGE-SECRET-KEY-1…); null when it is not one.</summary>
    internal static AgeIdentity? TryParse(ReadOnlySpan<char> text)
    {
        Span<byte> key = stackalloc byte[X25519.ScalarSize];
        try
        {
            return Bech32.TryDecode(text, AgeFormat.IdentityPrefix, key) ? new AgeIdentity(key) : null;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    internal bool TryUnwrap(AgeStanza stanza, Span<byte> fileKey) =>
        stanza.Type == AgeFormat.X25519StanzaType && X25519Stanza.TryUnwrap(stanza, secretKey, publicKey, fileKey);

    public void Dispose() => CryptographicOperations.ZeroMemory(secretKey);
}
