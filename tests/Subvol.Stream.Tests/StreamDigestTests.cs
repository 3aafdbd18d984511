using System.Security.Cryptography;

namespace Subvol.Stream.Tests;

/// <summary>The stream's digest is hashed on a thread of its own; it must still be the SHA-256 of exactly the bytes appended, in order.</summary>
public sealed class StreamDigestTests
{
    [Theory]
    [InlineData(StreamDigest.ReaderBatches)]
    [InlineData(StreamDigest.WriterBatches)]
    public void The_digest_is_the_SHA256_of_every_byte_appended_across_batch_boundaries(int batches)
    {
        // More than all the batches hold together, so that every batch is hashed, handed back and filled again.
        var bytes = new byte[(17 << 20) + 12345];
        new Random(14).NextBytes(bytes);
        using var digest = new StreamDigest(batches);
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

    [Theory]
    [InlineData(StreamDigest.ReaderBatches)]
    [InlineData(StreamDigest.WriterBatches)]
    public void A_buffer_reused_right_after_an_append_does_not_change_the_digest(int batches)
    {
        var buffer = new byte[4096];
        var expected = new MemoryStream();
        using var digest = new StreamDigest(batches);
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
        using var digest = new StreamDigest(StreamDigest.ReaderBatches);

        Assert.Equal(SHA256.HashData([]), digest.Finish());
    }

    [Fact]
    public void Nothing_can_be_appended_after_the_digest_is_finished()
    {
        using var digest = new StreamDigest(StreamDigest.ReaderBatches);
        digest.Append([1, 2, 3]);
        digest.Finish();

        Assert.Throws<ObjectDisposedException>(() => digest.Append([4]));
    }

    [Theory]
    [InlineData(StreamDigest.ReaderBatches, 1 << 20)]
    [InlineData(StreamDigest.WriterBatches, 16 << 20)]
    public void A_digest_holds_no_more_than_its_batches_whatever_the_stream_length(int batches, int bound)
    {
        var buffer = new byte[1 << 20];
        using var digest = new StreamDigest(batches);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 48; round++)
        {
            digest.Append(buffer);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= bound, $"appending 48 MiB allocated {allocated} bytes, more than {bound}");
        Assert.Equal(SHA256.HashData(new byte[48 << 20]), digest.Finish());
    }
}
