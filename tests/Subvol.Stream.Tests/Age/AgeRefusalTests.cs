using Subvol.Stream.Age;
using static Subvol.Stream.Tests.Age.AgeSamples;

namespace Subvol.Stream.Tests.Age;

/// <summary>An age stream changed, cut or appended to anywhere, or opened with another identity, is refused, each for what it is.</summary>
public sealed class AgeRefusalTests
{
    private const int Length = 3 * Chunk + 1000;

    [Fact]
    public void Changed_byte_in_a_middle_chunk_fails_that_chunks_authentication()
    {
        var refused = Refuse(encrypted => encrypted[PayloadStart(encrypted) + Chunk + 100] ^= 1);
        Assert.Equal(AgeFormatError.ChunkAuthenticationFailed, refused.Error);
        Assert.Contains("chunk 2", refused.Message);
    }

    [Fact]
    public void Changed_tag_of_the_last_chunk_fails_its_authentication()
    {
        var refused = Refuse(encrypted => encrypted[^1] ^= 0x80);
        Assert.Equal(AgeFormatError.ChunkAuthenticationFailed, refused.Error);
        Assert.Contains("chunk 4", refused.Message);
    }

    [Fact]
    public void Stream_cut_at_a_chunk_boundary_is_refused_as_missing_its_last_chunk()
    {
        var refused = Refuse(keep: encrypted => PayloadStart(encrypted) + 3 * (Chunk + 16));
        Assert.Equal(AgeFormatError.Truncated, refused.Error);
        Assert.Contains("without its last chunk", refused.Message);
    }

    [Fact]
    public void Stream_cut_inside_a_chunk_fails_that_chunks_authentication()
    {
        var refused = Refuse(keep: encrypted => PayloadStart(encrypted) + Chunk + 500);
        Assert.Equal(AgeFormatError.ChunkAuthenticationFailed, refused.Error);
    }

    [Fact]
    public void Stream_cut_right_after_its_header_is_refused_as_cut_short()
    {
        var refused = Refuse(keep: PayloadStart);
        Assert.Equal(AgeFormatError.Truncated, refused.Error);
    }

    [Fact]
    public void Byte_appended_after_a_short_last_chunk_fails_its_authentication()
    {
        var refused = Refuse(append: true);
        Assert.Equal(AgeFormatError.ChunkAuthenticationFailed, refused.Error);
    }

    [Fact]
    public void Byte_appended_after_a_full_last_chunk_is_refused_as_following_the_last_chunk()
    {
        using var identity = Identity(18);
        var encrypted = Encrypt(Plaintext(2 * Chunk), identity.Recipient);
        var refused = Assert.Throws<AgeFormatException>(() => Decrypt([.. encrypted, 0], identity));
        Assert.Equal(AgeFormatError.TrailingData, refused.Error);
    }

    [Fact]
    public void Changed_header_mac_is_refused_before_any_payload_is_read()
    {
        var refused = Refuse(encrypted =>
        {
            var mac = encrypted.AsSpan().IndexOf("\n--- "u8) + 5;
            encrypted[mac] = encrypted[mac] == (byte)'A' ? (byte)'B' : (byte)'A';
        });
        Assert.Equal(AgeFormatError.HeaderMacMismatch, refused.Error);
    }

    [Fact]
    public void Stanza_of_another_recipient_swapped_into_the_header_fails_the_header_mac()
    {
        using var identity = Identity(11);
        using var other = Identity(12);
        var mine = Encrypt(Plaintext(10), identity.Recipient, other.Recipient);
        var theirs = Encrypt(Plaintext(10), identity.Recipient, other.Recipient);
        // The second stanza comes from another file: the file key still unwraps from the first, but the MAC covers both.
        var text = System.Text.Encoding.ASCII.GetString(mine, 0, PayloadStart(mine) - 16).Split('\n');
        var foreign = System.Text.Encoding.ASCII.GetString(theirs, 0, PayloadStart(theirs) - 16).Split('\n');
        text[3] = foreign[3];
        text[4] = foreign[4];
        var spliced = System.Text.Encoding.ASCII.GetBytes(string.Join('\n', text)).Concat(mine[(PayloadStart(mine) - 16)..]).ToArray();
        var refused = Assert.Throws<AgeFormatException>(() => Decrypt(spliced, identity));
        Assert.Equal(AgeFormatError.HeaderMacMismatch, refused.Error);
    }

    [Fact]
    public void Identity_of_another_recipient_is_refused_naming_how_many_recipients_the_stream_has()
    {
        using var identity = Identity(13);
        using var stranger = Identity(14);
        var refused = Assert.Throws<AgeFormatException>(() => Decrypt(Encrypt(Plaintext(10), identity.Recipient), stranger));
        Assert.Equal(AgeFormatError.NoMatchingIdentity, refused.Error);
        Assert.Contains("1 X25519 recipient", refused.Message);
    }

    [Fact]
    public void Disposed_identity_is_zeroed_and_opens_nothing_any_more()
    {
        var identity = Identity(15);
        var encrypted = Encrypt(Plaintext(10), identity.Recipient);
        Assert.Equal(Plaintext(10), Decrypt(encrypted, identity));
        identity.Dispose();
        Assert.Equal(AgeFormatError.NoMatchingIdentity, Assert.Throws<AgeFormatException>(() => Decrypt(encrypted, identity)).Error);
    }

    [Fact]
    public void Passphrase_encrypted_file_is_refused_as_unsupported()
    {
        var header = "age-encryption.org/v1\n-> scrypt c2FsdHNhbHRzYWx0c2FsdA 18\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"u8.ToArray();
        using var identity = Identity(16);
        Assert.Equal(AgeFormatError.Unsupported, Assert.Throws<AgeFormatException>(() => Decrypt(header, identity)).Error);
    }

    [Theory]
    [InlineData("age-encryption.org/v1\n--- AAAA\n")]
    [InlineData("age-encryption.org/v1\n-> X25519\nAAAA\n")]
    [InlineData("age-encryption.org/v1\nrubbish\n")]
    [InlineData("age-encryption.org/v1\n-> X25519 AAAA=\nAAAA\n--- AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n")]
    public void Malformed_header_is_refused_as_such(string header)
    {
        using var identity = Identity(17);
        Assert.Equal(AgeFormatError.MalformedHeader,
            Assert.Throws<AgeFormatException>(() => Decrypt(System.Text.Encoding.ASCII.GetBytes(header), identity)).Error);
    }

    private static AgeFormatException Refuse(Action<byte[]>? change = null, Func<byte[], int>? keep = null, bool append = false)
    {
        using var identity = Identity(10);
        var encrypted = Encrypt(Plaintext(Length), identity.Recipient);
        change?.Invoke(encrypted);
        var damaged = encrypted[..(keep?.Invoke(encrypted) ?? encrypted.Length)];
        if (append)
        {
            damaged = [.. damaged, 0];
        }

        return Assert.Throws<AgeFormatException>(() => Decrypt(damaged, identity));
    }
}
