using Subvol.Stream.Age;
using static Subvol.Stream.Tests.Age.AgeSamples;

namespace Subvol.Stream.Tests.Age;

/// <summary>What Subvol encrypts to a recipient, Subvol decrypts with the identity, whatever the length and however the bytes arrive.</summary>
public sealed class AgeRoundTripTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(Chunk - 1)]
    [InlineData(Chunk)]
    [InlineData(Chunk + 1)]
    [InlineData(3 * Chunk)]
    [InlineData(3 * Chunk + 12345)]
    public void Payload_of_any_length_decrypts_to_the_same_bytes(int length)
    {
        using var identity = Identity(1);
        var plaintext = Plaintext(length);
        Assert.Equal(plaintext, Decrypt(Encrypt(plaintext, identity.Recipient), identity));
    }

    [Theory]
    [InlineData(0, 1)]
    [InlineData(1, 1)]
    [InlineData(Chunk, 1)]
    [InlineData(Chunk + 1, 2)]
    [InlineData(2 * Chunk, 2)]
    public void Payload_is_sealed_in_64_KiB_chunks_with_a_tag_each_and_a_full_last_chunk_when_the_length_divides(int length, int chunks)
    {
        using var identity = Identity(2);
        var encrypted = Encrypt(Plaintext(length), identity.Recipient);
        Assert.Equal(length + chunks * 16, encrypted.Length - PayloadStart(encrypted));
    }

    [Fact]
    public void Each_of_two_recipients_opens_the_stream_with_its_own_identity()
    {
        using var first = Identity(3);
        using var second = Identity(4);
        var plaintext = Plaintext(100_000);
        var encrypted = Encrypt(plaintext, first.Recipient, second.Recipient);
        Assert.Equal(plaintext, Decrypt(encrypted, first));
        Assert.Equal(plaintext, Decrypt(encrypted, second));
    }

    [Fact]
    public void Stream_read_a_byte_at_a_time_as_a_pipe_may_give_it_decrypts_whole()
    {
        using var identity = Identity(5);
        var plaintext = Plaintext(2 * Chunk + 77);
        Assert.Equal(plaintext, Decrypt(new TrickleStream(Encrypt(plaintext, identity.Recipient)), identity));
    }

    [Fact]
    public void Writes_of_odd_sizes_make_the_same_payload_as_one_write()
    {
        using var identity = Identity(6);
        var plaintext = Plaintext(3 * Chunk + 5);
        var output = new MemoryStream();
        using (var encrypting = new AgeEncryptingStream(output, [identity.Recipient]))
        {
            for (var offset = 0; offset < plaintext.Length; offset += 4093)
            {
                encrypting.Write(plaintext, offset, Math.Min(4093, plaintext.Length - offset));
            }

            encrypting.Complete();
        }

        Assert.Equal(plaintext, Decrypt(output.ToArray(), identity));
    }

    [Fact]
    public void Stream_disposed_without_completing_lacks_its_last_chunk_and_is_refused_as_cut_short()
    {
        using var identity = Identity(7);
        var output = new MemoryStream();
        using (var encrypting = new AgeEncryptingStream(output, [identity.Recipient]))
        {
            encrypting.Write(Plaintext(2 * Chunk + 10));
        }

        var refused = Assert.Throws<AgeFormatException>(() => Decrypt(output.ToArray(), identity));
        Assert.Equal(AgeFormatError.Truncated, refused.Error);
    }

    [Fact]
    public void Write_that_fails_on_the_sealing_thread_fails_the_writer_with_the_outputs_own_error()
    {
        using var identity = Identity(8);
        var output = new FailingStream(failAfter: 3 * (Chunk + 16) + 500);
        using var encrypting = new AgeEncryptingStream(output, [identity.Recipient]);
        var refused = Assert.Throws<IOException>(() =>
        {
            var plaintext = Plaintext(Chunk);
            for (var i = 0; i < 64; i++)
            {
                encrypting.Write(plaintext);
            }

            encrypting.Complete();
        });
        Assert.Equal("the disk is full", refused.Message);
    }

    [Theory]
    [InlineData("age-encryption.org/v1\n-> X25519 abc", AgeInputKind.Binary)]
    [InlineData("-----BEGIN AGE ENCRYPTED FILE-----\n", AgeInputKind.Armored)]
    [InlineData("age-encryption.org/v2\n", AgeInputKind.OtherVersion)]
    [InlineData("\u0089SVS\r\n\u001a\n", AgeInputKind.None)]
    [InlineData("", AgeInputKind.None)]
    public void First_bytes_tell_an_age_file_from_a_replication_stream(string start, AgeInputKind expected) =>
        Assert.Equal(expected, AgeFormat.Identify(start.Select(character => (byte)character).ToArray()));

    /// <summary>Takes <paramref name="failAfter"/> bytes, then fails every write as a full disk would.</summary>
    private sealed class FailingStream(long failAfter) : MemoryStream
    {
        public override void Write(ReadOnlySpan<byte> buffer) => Write(buffer.ToArray(), 0, buffer.Length);

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (Length + count > failAfter)
            {
                throw new IOException("the disk is full");
            }

            base.Write(buffer, offset, count);
        }
    }

    /// <summary>Gives at most one byte per read, as a slow pipe may.</summary>
    private sealed class TrickleStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override int Read(byte[] buffer, int offset, int count) => base.Read(buffer, offset, Math.Min(count, 1));

        public override int Read(Span<byte> buffer) => base.Read(buffer[..Math.Min(buffer.Length, 1)]);
    }
}
