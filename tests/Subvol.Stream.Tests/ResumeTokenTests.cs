using System.Buffers.Binary;
using System.Buffers.Text;
using System.IO.Hashing;

namespace Subvol.Stream.Tests;

public sealed class ResumeTokenTests
{
    private static readonly ResumeToken Incremental = new(Samples.TargetGuid, Samples.BaseGuid, 123456, 1L << 30);

    [Fact]
    public void A_token_round_trips_with_and_without_a_base()
    {
        foreach (var token in new[] { Incremental, Incremental with { BaseGuid = null }, Incremental with { Offset = 0 }, Incremental with { Offset = 1L << 30 } })
        {
            var text = token.Encode();

            Assert.True(ResumeToken.TryDecode(text, out var decoded, out var error), error);
            Assert.Equal(token, decoded);
            Assert.Null(error);
            Assert.Equal(ResumeToken.EncodedLength, text.Length);
            Assert.Matches("^[A-Za-z0-9_-]+$", text);
        }
    }

    [Fact]
    public void The_encoding_of_a_token_is_pinned()
    {
        Assert.Equal("AQFfLJpOG31MPpphDY5_a1pDC52Mem5fSjuMLR4Pmot8bUDiAQAAAAAAAAAAQAAAAACj2zrBKuq13A", Incremental.Encode());
    }

    [Fact]
    public void Every_single_character_change_is_refused()
    {
        var text = Incremental.Encode();
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        var tried = 0;
        for (var i = 0; i < text.Length; i++)
        {
            foreach (var replacement in alphabet)
            {
                if (replacement == text[i])
                {
                    continue;
                }

                var tampered = string.Concat(text.AsSpan(0, i), replacement.ToString(), text.AsSpan(i + 1));
                Assert.False(ResumeToken.TryDecode(tampered, out var token, out var error), tampered);
                Assert.Null(token);
                Assert.NotNull(error);
                tried++;
            }
        }

        Assert.Equal(text.Length * 63, tried);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("AQFfLJpOG31MPpphDY5_a1pDC52Mem5fSjuMLR4Pmot8bUDiAQAAAAAAAAAAQAAAAACj2zrBKuq13A=")]
    [InlineData("AQFfLJpOG31MPpphDY5_a1pDC52Mem5fSjuMLR4Pmot8bUDiAQAAAAAAAAAAQAAAAACj2zrBKuq13AA")]
    [InlineData("AQFfLJpOG31MPpphDY5/a1pDC52Mem5fSjuMLR4Pmot8bUDiAQAAAAAAAAAAQAAAAACj2zrBKuq13A")]
    [InlineData("AQFfLJpOG31MPpphDY5+a1pDC52Mem5fSjuMLR4Pmot8bUDiAQAAAAAAAAAAQAAAAACj2zrBKuq13A")]
    [InlineData(" QFfLJpOG31MPpphDY5_a1pDC52Mem5fSjuMLR4Pmot8bUDiAQAAAAAAAAAAQAAAAACj2zrBKuq13A")]
    [InlineData("AQFfLJpOG31MPpphDY5_a1pDC52Mem5fSjuMLR4Pmot8bUDiAQAAAAAAAAAAQAAAAACj2zrBKuq13\n")]
    [InlineData("AQFfLJpOG31MPpphDY5_a1pDC52Mem5fSjuMLR4Pmot8bUDiAQAAAAAAAAAAQAAAAACj2zrBKuq13B")]
    public void Garbage_padded_or_resized_tokens_are_refused(string? text)
    {
        Assert.False(ResumeToken.TryDecode(text, out var token, out var error));
        Assert.Null(token);
        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void An_oversized_token_is_refused_without_being_decoded_or_echoed()
    {
        var huge = new string('A', 10_000_000);

        Assert.False(ResumeToken.TryDecode(huge, out _, out var error));
        Assert.True(error!.Length < 200, error);
    }

    [Theory]
    [InlineData(2, 1, 1, 100UL, 4096UL, "version 2")]
    [InlineData(1, 2, 1, 100UL, 4096UL, "flags")]
    [InlineData(1, 0, 1, 100UL, 4096UL, "base GUID")]
    [InlineData(1, 1, 0, 100UL, 4096UL, "base GUID")]
    [InlineData(1, 1, 1, 4097UL, 4096UL, "beyond")]
    [InlineData(1, 1, 1, 0UL, 0UL, "image size")]
    [InlineData(1, 1, 1, 0UL, 1UL << 56, "image size")]
    [InlineData(1, 1, 1, ulong.MaxValue, ulong.MaxValue, "image size")]
    public void Tokens_with_a_valid_checksum_but_impossible_fields_are_refused(byte version, byte flags, int baseKind, ulong offset, ulong size, string reason)
    {
        Span<byte> bytes = stackalloc byte[58];
        bytes[0] = version;
        bytes[1] = flags;
        Samples.TargetGuid.TryWriteBytes(bytes.Slice(2, 16), bigEndian: true, out _);
        (baseKind == 1 ? Samples.BaseGuid : Guid.Empty).TryWriteBytes(bytes.Slice(18, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[34..], offset);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[42..], size);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes[50..], XxHash3.HashToUInt64(bytes[..50], 0x53_5542_5654_4B4E));

        Assert.False(ResumeToken.TryDecode(Base64Url.EncodeToString(bytes), out var token, out var error));
        Assert.Null(token);
        Assert.Contains(reason, error, StringComparison.Ordinal);
    }

    [Fact]
    public void Impossible_tokens_cannot_be_encoded()
    {
        Assert.Throws<InvalidOperationException>(() => (Incremental with { Offset = (1L << 30) + 1 }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Incremental with { Offset = -1 }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Incremental with { BaseGuid = Guid.Empty }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Incremental with { TargetGuid = Guid.Empty }).Encode());
        Assert.Throws<InvalidOperationException>(() => (Incremental with { ImageSize = 0, Offset = 0 }).Encode());
    }
}
