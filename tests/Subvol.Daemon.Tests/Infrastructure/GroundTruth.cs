using System.Globalization;
using System.Text.RegularExpressions;
using Csi.V1;

namespace Subvol.Daemon.Tests.Infrastructure;

/// <summary>
/// What changed-block tracking must agree with, found without the daemon's code: filefrag's reading of an image's
/// extent map, and a byte-for-byte comparison of two images.
/// </summary>
internal static partial class GroundTruth
{
    public const int Block = 4096;

    /// <summary>The bytes of an image that hold written data, by `filefrag -v`: every extent but unwritten ones, cut at the size.</summary>
    public static List<(long Start, long End)> WrittenExtents(string image)
    {
        var (exitCode, output, error) = Tools.Run("filefrag", "-v", "-b4096", image);
        Assert.True(exitCode == 0, $"filefrag failed: {error}");
        var size = new FileInfo(image).Length;
        var ranges = new List<(long Start, long End)>();
        foreach (Match match in ExtentLine().Matches(output))
        {
            if (match.Groups["flags"].Value.Contains("unwritten", StringComparison.Ordinal))
            {
                continue;
            }

            var start = long.Parse(match.Groups["first"].Value, CultureInfo.InvariantCulture) * Block;
            var end = Math.Min((long.Parse(match.Groups["last"].Value, CultureInfo.InvariantCulture) + 1) * Block, size);
            if (ranges.Count > 0 && ranges[^1].End == start)
            {
                ranges[^1] = (ranges[^1].Start, end);
            }
            else if (start < end)
            {
                ranges.Add((start, end));
            }
        }

        return ranges;
    }

    /// <summary>The 4 KiB blocks (by offset) in which two images of the same size differ in at least one byte.</summary>
    public static List<long> DifferingBlocks(string first, string second)
    {
        using var a = File.OpenHandle(first);
        using var b = File.OpenHandle(second);
        var length = RandomAccess.GetLength(a);
        Assert.Equal(length, RandomAccess.GetLength(b));
        var blocks = new List<long>();
        var left = new byte[1 << 20];
        var right = new byte[1 << 20];
        for (long offset = 0; offset < length; offset += left.Length)
        {
            var count = (int)Math.Min(left.Length, length - offset);
            RandomAccess.Read(a, left.AsSpan(0, count), offset);
            RandomAccess.Read(b, right.AsSpan(0, count), offset);
            for (var block = 0; block < count; block += Block)
            {
                var size = Math.Min(Block, count - block);
                if (!left.AsSpan(block, size).SequenceEqual(right.AsSpan(block, size)))
                {
                    blocks.Add(offset + block);
                }
            }
        }

        return blocks;
    }

    /// <summary>
    /// Every differing byte lies in a reported range (checked at the byte: a differing block is compared to the
    /// ranges byte by byte), and the reported bytes are at most 1.1 times the 4 KiB blocks that differ.
    /// </summary>
    public static void AssertDeltaCovers(IReadOnlyList<BlockMetadata> reported, string baseImage, string targetImage)
    {
        var differing = DifferingBlocks(baseImage, targetImage);
        Assert.NotEmpty(differing);
        var baseBytes = new byte[Block];
        var targetBytes = new byte[Block];
        using var a = File.OpenHandle(baseImage);
        using var b = File.OpenHandle(targetImage);
        foreach (var block in differing)
        {
            var count = RandomAccess.Read(a, baseBytes, block);
            RandomAccess.Read(b, targetBytes, block);
            for (var i = 0; i < count; i++)
            {
                if (baseBytes[i] != targetBytes[i])
                {
                    var offset = block + i;
                    Assert.True(reported.Any(range => range.ByteOffset <= offset && offset < range.ByteOffset + range.SizeBytes), $"byte {offset} differs but no reported range holds it");
                }
            }
        }

        var reportedBytes = reported.Sum(range => range.SizeBytes);
        var differingBytes = (long)differing.Count * Block;
        Assert.True(reportedBytes <= differingBytes * 11 / 10, $"{reportedBytes} bytes reported for {differingBytes} bytes of differing blocks");
    }

    /// <summary>Tuples across every message are ascending, non-overlapping and non-empty, and each message holds at most max_results.</summary>
    public static List<BlockMetadata> AssertWellFormed(IEnumerable<(long Capacity, IReadOnlyList<BlockMetadata> Tuples)> messages, long capacity, int maxResults, long startingOffset)
    {
        var all = new List<BlockMetadata>();
        foreach (var (messageCapacity, tuples) in messages)
        {
            Assert.Equal(capacity, messageCapacity);
            if (maxResults > 0)
            {
                Assert.True(tuples.Count <= maxResults, $"{tuples.Count} tuples in a message for max_results {maxResults}");
            }

            all.AddRange(tuples);
        }

        Assert.All(all, tuple => Assert.True(tuple.SizeBytes > 0 && tuple.ByteOffset >= 0 && tuple.ByteOffset + tuple.SizeBytes <= capacity, $"tuple {tuple} is empty or outside the volume"));
        Assert.All(all.Zip(all.Skip(1)), pair => Assert.True(pair.First.ByteOffset + pair.First.SizeBytes <= pair.Second.ByteOffset, $"{pair.First} is not before {pair.Second}"));
        if (all.Count > 0)
        {
            Assert.True(startingOffset < all[0].ByteOffset + all[0].SizeBytes, $"the first tuple {all[0]} ends before the starting offset {startingOffset}");
        }

        return all;
    }

    // "   3:      512..     767:      34816..     35071:    256:      34560: last,unwritten,eof"
    [GeneratedRegex(@"^\s*\d+:\s*(?<first>\d+)\.\.\s*(?<last>\d+):\s*\d+\.\.\s*\d+:\s*\d+:(?:\s*\d+:)?\s*(?<flags>\S*)\s*$", RegexOptions.Multiline)]
    private static partial Regex ExtentLine();
}
