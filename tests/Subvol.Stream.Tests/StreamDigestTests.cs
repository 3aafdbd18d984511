using System.Security.Cryptography;

namespace Subvol.Stream.Tests;

/// <summary>The stream's digest is hashed on a thread of its own; it must still be the SHA-256 of exactly the bytes appended, in order.</summary>
public sealed class StreamDigestTests
{
    [Fact]
    public void The_digest_is_the_SHA256_of_every_byte_appended_across_batch_boundaries()
    {
        var bytes = new byte[(3 << 20) + 12345];
        new Random(14).NextBytes(bytes);
        using var digest = new StreamDigest();
        var random = new Random(7);
        for (var offset = 0; offset < bytes.Length;)
        {
            // Pieces from a few bytes to more than a batch, so that appends straddle batches and fill several at once.
            var length = Math.Min(bytes.Length - offset, random.Next(1, 3 << 19));
            digest.Append(bytes.AsSpan(offset, length));
            offset += length;
        }

        Assert.Equal(SHA256.HashData(bytes), digest.Finish());
    }

    [Fact]
    public void A_buffer_reused_right_after_an_append_does_not_change_the_digest()
    {
        var buffer = new byte[4096];
        var expected = new MemoryStream();
        using var digest = new StreamDigest();
        for (var round = 0; round < 600; round++)
        {
            Array.Fill(buffer, (byte)round);
            digest.Append(buffer);
            expected.Write(buffer);
        }

        Assert.Equal(SHA256.HashData(expected.ToArray()), digest.Finish());
    }

    [Fact]
    public void An_empty_digest_is_the_SHA256_of_nothing()
    {
        using var digest = new StreamDigest();

        Assert.Equal(SHA256.HashData([]), digest.Finish());
    }

    [Fact]
    public void Nothing_can_be_appended_after_the_digest_is_finished()
    {
        using var digest = new StreamDigest();
        digest.Append([1, 2, 3]);
        digest.Finish();

        Assert.Throws<ObjectDisposedException>(() => digest.Append([4]));
    }
}
