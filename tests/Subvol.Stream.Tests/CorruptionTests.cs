using Xunit.Abstractions;

namespace Subvol.Stream.Tests;

/// <summary>Damage of every small kind to one sample stream: each must end in a StreamFormatException, with no write out of bounds and no End.</summary>
public sealed class CorruptionTests(ITestOutputHelper output)
{
    private static readonly byte[] Sample = Samples.Mixed();

    [Fact]
    public void The_sample_is_a_few_kibibytes_and_reads_cleanly()
    {
        var sink = new ImageSink();
        var summary = Samples.Read(Sample, sink);

        Assert.InRange(Sample.Length, 1024, 8192);
        Assert.Equal((3L, 2L, 1L), (summary.DataRecords, summary.HoleRecords, summary.SizeChanges));
        Assert.Empty(sink.Violations);
    }

    [Fact]
    public void Every_single_byte_flip_is_refused()
    {
        var bytes = (byte[])Sample.Clone();
        ReadOnlySpan<byte> masks = [0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0xFF];
        var cases = 0;
        for (var position = 0; position < bytes.Length; position++)
        {
            foreach (var mask in masks)
            {
                bytes[position] ^= mask;
                ExpectRefusal(bytes, $"byte {position} ^ 0x{mask:x2}");
                bytes[position] ^= mask;
                cases++;
            }
        }

        Assert.Equal(Sample.Length * 9, cases);
        output.WriteLine($"{cases} single-byte flips over {Sample.Length} bytes refused");
    }

    [Fact]
    public void Every_truncation_is_refused_as_truncated()
    {
        for (var length = 0; length < Sample.Length; length++)
        {
            var refusal = ExpectRefusal(Sample.AsSpan(0, length).ToArray(), $"truncated to {length}");
            Assert.Equal(StreamFormatError.Truncated, refusal.Error);
        }

        output.WriteLine($"{Sample.Length} truncations refused");
    }

    [Fact]
    public void Every_extension_by_trailing_bytes_is_refused_as_trailing_data()
    {
        const int longest = 1024;
        var random = new SplitMix64(21);
        for (var extra = 1; extra <= longest; extra++)
        {
            var tail = new byte[extra];
            if (extra % 2 == 0)
            {
                random.Fill(tail);
            }

            var refusal = ExpectRefusal([.. Sample, .. tail], $"extended by {extra}");
            Assert.Equal(StreamFormatError.TrailingData, refusal.Error);
            Assert.Equal(Sample.Length, refusal.StreamOffset);
        }

        // A second copy of the whole stream, or of its end record, is trailing data too.
        ExpectRefusal([.. Sample, .. Sample], "doubled");
        ExpectRefusal([.. Sample, .. Sample.AsSpan(Sample.Length - 96)], "end record repeated");
        output.WriteLine($"{longest + 2} extensions refused");
    }

    [Fact]
    public void Thousands_of_random_multi_byte_mutations_are_refused()
    {
        const int mutations = 5000;
        var random = new SplitMix64(22);
        for (var i = 0; i < mutations; i++)
        {
            var bytes = Mutate(random, Sample);
            if (bytes.AsSpan().SequenceEqual(Sample))
            {
                i--;
                continue;
            }

            ExpectRefusal(bytes, $"mutation {i}");
        }

        output.WriteLine($"{mutations} random mutations refused");
    }

    /// <summary>Overwrites, inserts, deletes or swaps a few bytes or runs of bytes.</summary>
    private static byte[] Mutate(SplitMix64 random, byte[] original)
    {
        var bytes = new List<byte>(original);
        for (var edits = random.Between(2, 8); edits > 0; edits--)
        {
            var at = random.Below(bytes.Count);
            var run = Math.Min(random.Between(1, 16), bytes.Count - at);
            switch (random.Below(5))
            {
                case 0:
                    bytes[at] = (byte)random.Next();
                    break;
                case 1:
                    for (var i = 0; i < run; i++)
                    {
                        bytes[at + i] = (byte)random.Next();
                    }

                    break;
                case 2:
                    bytes.InsertRange(at, Enumerable.Range(0, run).Select(_ => (byte)random.Next()));
                    break;
                case 3:
                    bytes.RemoveRange(at, run);
                    break;
                default:
                    var other = random.Below(bytes.Count - run + 1);
                    var copy = bytes.GetRange(at, run);
                    bytes.RemoveRange(at, run);
                    bytes.InsertRange(Math.Min(other, bytes.Count), copy);
                    break;
            }

            if (bytes.Count == 0)
            {
                bytes.Add(0);
            }
        }

        return [.. bytes];
    }

    private static StreamFormatException ExpectRefusal(byte[] bytes, string what)
    {
        var sink = new ImageSink();
        try
        {
            Samples.Read(bytes, sink);
        }
        catch (StreamFormatException exception)
        {
            Assert.True(sink.Violations.Count == 0, $"{what}: {string.Join("; ", sink.Violations)}");
            Assert.False(sink.Ended, $"{what}: End was called");
            return exception;
        }
        catch (Exception exception)
        {
            Assert.Fail($"{what}: {exception.GetType().Name} instead of a StreamFormatException: {exception}");
        }

        Assert.Fail($"{what} was accepted");
        return null!;
    }
}
