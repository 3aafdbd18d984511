using System.Security.Cryptography;

namespace Subvol.Stream.Tests;

/// <summary>The stream's digest is hashed on a thread of its own; it must still be the SHA-256 of exactly the bytes appended, in order.</summary>
public sealed class StreamDigestTests
{
    /// <summary>A writer's digest: a few batches, each large enough for two of the largest records.</summary>
    private const int WriterBatches = 8;
    private const int WriterBatchBytes = 2 << 20;

    [Theory]
    [InlineData(StreamDigest.ReaderBatches, StreamDigest.ReaderBatchBytes)]
    [InlineData(WriterBatches, WriterBatchBytes)]
    public void The_digest_is_the_SHA256_of_every_byte_appended_across_batch_boundaries(int batches, int batchBytes)
    {
        // More than all the batches hold together, so that every batch is hashed, handed back and filled again.
        var bytes = new byte[(17 << 20) + 12345];
        new Random(14).NextBytes(bytes);
        using var digest = new StreamDigest(batches, batchBytes);
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
    [InlineData(StreamDigest.ReaderBatches, StreamDigest.ReaderBatchBytes)]
    [InlineData(WriterBatches, WriterBatchBytes)]
    public void A_buffer_reused_right_after_an_append_does_not_change_the_digest(int batches, int batchBytes)
    {
        var buffer = new byte[4096];
        var expected = new MemoryStream();
        using var digest = new StreamDigest(batches, batchBytes);
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
        using var digest = StreamDigest.ForReader();

        Assert.Equal(SHA256.HashData([]), digest.Finish());
    }

    [Fact]
    public void Nothing_can_be_appended_after_the_digest_is_finished()
    {
        using var digest = StreamDigest.ForReader();
        digest.Append([1, 2, 3]);
        digest.Finish();

        Assert.Throws<ObjectDisposedException>(() => digest.Append([4]));
    }

    [Theory]
    [InlineData(StreamDigest.ReaderBatches, StreamDigest.ReaderBatchBytes, 1 << 20)]
    [InlineData(WriterBatches, WriterBatchBytes, 16 << 20)]
    public void A_digest_holds_no_more_than_its_batches_whatever_the_stream_length(int batches, int batchBytes, int bound)
    {
        var buffer = new byte[1 << 20];
        using var digest = new StreamDigest(batches, batchBytes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 48; round++)
        {
            digest.Append(buffer);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= bound, $"appending 48 MiB allocated {allocated} bytes, more than {bound}");
        Assert.Equal(SHA256.HashData(new byte[48 << 20]), digest.Finish());
    }

    [Fact]
    public void Batches_handed_over_are_hashed_whole_in_order_after_what_was_appended_before_them()
    {
        var expected = new MemoryStream();
        using var digest = new StreamDigest(WriterBatches, WriterBatchBytes);
        var random = new Random(21);
        for (var round = 0; round < 40; round++)
        {
            // Appends and handed batches interleave, as a writer's end record follows its last batch.
            var appended = new byte[random.Next(1, 5000)];
            random.NextBytes(appended);
            digest.Append(appended);
            expected.Write(appended);

            var batch = digest.Rent();
            Assert.Equal(WriterBatchBytes, batch.Length);
            var length = random.Next(0, batch.Length + 1);
            random.NextBytes(batch.AsSpan(0, length));
            expected.Write(batch, 0, length);
            digest.HandOver(batch, length);
        }

        Assert.Equal(SHA256.HashData(expected.ToArray()), digest.Finish());
    }

    [Fact]
    public void Renting_and_handing_over_holds_no_more_than_the_batches_whatever_the_stream_length()
    {
        using var digest = new StreamDigest(WriterBatches, WriterBatchBytes);
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var round = 0; round < 48; round++)
        {
            var batch = digest.Rent();
            batch.AsSpan().Clear();
            digest.HandOver(batch, batch.Length);
        }

        // The batches and the queue's bookkeeping: one batch more than there are would already pass this bound by far.
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(allocated <= (WriterBatches * WriterBatchBytes) + (256 << 10), $"handing over 96 MiB allocated {allocated} bytes, more than the batches");
        Assert.Equal(SHA256.HashData(new byte[48 * WriterBatchBytes]), digest.Finish());
    }

    [Fact]
    public void Only_a_rented_batch_can_be_handed_over()
    {
        using var digest = new StreamDigest(WriterBatches, WriterBatchBytes);

        Assert.Throws<ArgumentOutOfRangeException>(() => digest.HandOver(new byte[4096], 4096));
        Assert.Throws<ArgumentOutOfRangeException>(() => digest.HandOver(digest.Rent(), WriterBatchBytes + 1));
    }
}
