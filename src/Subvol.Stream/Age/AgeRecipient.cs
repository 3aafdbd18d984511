namespace Subvol.Stream.Age;

/// <summary>An age X25519 recipient: a public key, written age1… in Bech32 as age-keygen prints it.</summary>
public sealed class AgeRecipient : IEquatable<AgeRecipient>
{
    private readonly byte[] publicKey;

    internal AgeRecipient(ReadOnlySpan<byte> publicKey) => this.publicKey = publicKey.ToArray();

    internal ReadOnlySpan<byte> PublicKey => publicKey;

    public static bool TryParse(string text, out AgeRecipient? recipient)
    {
        Span<byte> key = stackalloc byte[AgeFormat.KeyLength];
        recipient = text.Length < 100 && Bech32.TryDecode(text, AgeFormat.RecipientPrefix, key) ? new AgeRecipient(key) : null;
        return recipient is not null;
    }

    public bool Equals(AgeRecipient? other) => other is not null && publicKey.AsSpan().SequenceEqual(other.publicKey);

    public override bool Equals(object? obj) => Equals(obj as AgeRecipient);

    public override int GetHashCode() => BitConverter.ToInt32(publicKey);

    public override string ToString() => Bech32.Encode(AgeFormat.RecipientPrefix, publicKey);
}
