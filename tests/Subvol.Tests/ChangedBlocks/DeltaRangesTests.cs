using Subvol.ChangedBlocks;
using Subvol.Linux;
using Subvol.Replication;

namespace Subvol.Tests.ChangedBlocks;

/// <summary>The delta walks two extent maps together and must find exactly what send's ExtentDiff finds, from any offset.</summary>
public sealed class DeltaRangesTests
{
    private const long Block = 4096;

    [Fact]
    public void TheDeltaIsWhatSendFindsOnRandomMaps()
    {
        var random = new Random(3314);
        for (var round = 0; round < 500; round++)
        {
            var size = random.Next(1, 200) * Block;
            var baseline = RandomMap(random, size + random.Next(0, 20) * Block);
            var target = Mutate(random, baseline, size);

            var expected = Bytes(ExtentDiff.Compute(baseline, target, size).Select(range => new BlockRange(range.Offset, range.Length)));
            var found = Delta(baseline, target, size, 0);

            Assert.Equal(expected, Bytes(found));
        }
    }

    [Fact]
    public void ADeltaFromAnOffsetIsTheWholeDeltaCutThere()
    {
        var random = new Random(12);
        for (var round = 0; round < 300; round++)
        {
            var size = random.Next(1, 200) * Block;
            var baseline = RandomMap(random, size);
            var target = Mutate(random, baseline, size);
            var whole = Delta(baseline, target, size, 0);
            var offset = random.NextInt64(0, size + 1);

            var resumed = Delta(baseline, target, size, offset);

            Assert.Equal(Cut(whole, offset), resumed);
            Assert.True(resumed.Count == 0 || resumed[0].End > offset);
        }
    }

    [Fact]
    public void RangesAreAscendingApartAndNeverEmpty()
    {
        var random = new Random(7);
        for (var round = 0; round < 300; round++)
        {
            var size = random.Next(1, 200) * Block;
            var baseline = RandomMap(random, size);
            var found = Delta(baseline, Mutate(random, baseline, size), size, 0);

            Assert.All(found, range => Assert.True(range.Length > 0 && range.Offset >= 0 && range.End <= size));
            Assert.All(found.Zip(found.Skip(1)), pair => Assert.True(pair.First.End < pair.Second.Offset, $"{pair.First} touches or overlaps {pair.Second}"));
        }
    }

    [Fact]
    public void AllocatedRangesLeaveOutHolesAndUnwrittenExtentsAndStartAtTheOffset()
    {
        Extent[] map =
        [
            new(0, 1000 * Block, 4 * Block, ExtentFlags.None),
            new(4 * Block, 2000 * Block, 2 * Block, ExtentFlags.Shared),
            new(8 * Block, 3000 * Block, 4 * Block, ExtentFlags.Unwritten),
            new(16 * Block, 4000 * Block, 8 * Block, ExtentFlags.Last),
        ];

        Assert.Equal([new BlockRange(0, 6 * Block), new BlockRange(16 * Block, 4 * Block)], Allocated(map, 20 * Block, 0));
        Assert.Equal([new BlockRange(5 * Block, Block), new BlockRange(16 * Block, 4 * Block)], Allocated(map, 20 * Block, 5 * Block));
        Assert.Equal([new BlockRange(16 * Block, 4 * Block)], Allocated(map, 20 * Block, 6 * Block));
        Assert.Empty(Allocated(map, 20 * Block, 20 * Block));
    }

    [Fact]
    public void TheFirstRangeIsFoundBeforeTheRestOfEitherMapIsRead()
    {
        // 1,000 extents of 256 blocks, shared but for the second: a delta streams, so it reads only a few extents for its first range.
        const long extent = 256 * Block;
        var baseline = Enumerable.Range(0, 1000).Select(index => new Extent(index * extent, (100 + index) * extent, extent, ExtentFlags.Shared)).ToList();
        var target = baseline.Select(map => map.Logical == extent ? new Extent(extent, 5000 * extent, extent, ExtentFlags.None) : map).ToList();
        var readOfBase = 0;
        var readOfTarget = 0;
        using var baseSegments = new DataSegments(Counted(baseline, () => readOfBase++), 1000 * extent);
        using var targetSegments = new DataSegments(Counted(target, () => readOfTarget++), 1000 * extent);

        var first = DeltaRanges.Between(baseSegments, targetSegments, 0, 1000 * extent).First();

        Assert.Equal(new BlockRange(extent, extent), first);
        Assert.InRange(readOfBase, 1, 4);
        Assert.InRange(readOfTarget, 1, 4);
    }

    private static IEnumerable<Extent> Counted(IEnumerable<Extent> extents, Action read)
    {
        foreach (var extent in extents)
        {
            read();
            yield return extent;
        }
    }

    private static List<BlockRange> Delta(IReadOnlyList<Extent> baseline, IReadOnlyList<Extent> target, long size, long offset)
    {
        using var baseSegments = new DataSegments(From(baseline, offset), size);
        using var targetSegments = new DataSegments(From(target, offset), size);
        return RangeCoalescing.Coalesce(DeltaRanges.Between(baseSegments, targetSegments, offset, size)).ToList();
    }

    private static List<BlockRange> Allocated(IReadOnlyList<Extent> map, long size, long offset)
    {
        using var segments = new DataSegments(From(map, offset), size);
        return RangeCoalescing.Coalesce(AllocatedRanges.From(segments, offset)).ToList();
    }

    /// <summary>What FIEMAP answers for a start offset: every extent that ends after it.</summary>
    private static IEnumerable<Extent> From(IReadOnlyList<Extent> map, long offset) => map.Where(extent => extent.Logical + extent.Length > offset);

    private static List<BlockRange> Cut(List<BlockRange> ranges, long offset) =>
        ranges.Where(range => range.End > offset).Select(range => range.Offset >= offset ? range : new BlockRange(offset, range.End - offset)).ToList();

    /// <summary>Every byte the ranges cover, block by block, so that two ways of splitting the same bytes compare equal.</summary>
    private static SortedSet<long> Bytes(IEnumerable<BlockRange> ranges)
    {
        var blocks = new SortedSet<long>();
        foreach (var range in ranges)
        {
            Assert.True(range.Offset % Block == 0 && range.Length % Block == 0);
            for (var offset = range.Offset; offset < range.End; offset += Block)
            {
                Assert.True(blocks.Add(offset), $"block {offset} reported twice");
            }
        }

        return blocks;
    }

    /// <summary>A map of a file with holes: extents of random lengths, some unwritten, at random physical places.</summary>
    private static List<Extent> RandomMap(Random random, long size)
    {
        var map = new List<Extent>();
        for (var logical = 0L; logical < size;)
        {
            var length = Math.Min(random.Next(1, 16) * Block, size - logical);
            var roll = random.Next(10);
            if (roll >= 3)
            {
                map.Add(new Extent(logical, random.Next(1, 100000) * Block, length, roll == 3 ? ExtentFlags.Unwritten : ExtentFlags.Shared));
            }

            logical += length;
        }

        return map;
    }

    /// <summary>The map of a later snapshot: some extents kept (and split, as XFS splits shared ones), some rewritten, punched or made unwritten.</summary>
    private static List<Extent> Mutate(Random random, List<Extent> baseline, long size)
    {
        var map = new List<Extent>();
        foreach (var extent in baseline.Where(extent => extent.Logical < size))
        {
            for (var offset = 0L; offset < extent.Length;)
            {
                var length = Math.Min(random.Next(1, 8) * Block, extent.Length - offset);
                var piece = new Extent(extent.Logical + offset, extent.Physical + offset, length, extent.Flags);
                map.Add(random.Next(6) switch
                {
                    0 => piece with { Physical = random.Next(200000, 300000) * Block, Flags = ExtentFlags.None },
                    1 => piece with { Flags = ExtentFlags.Unwritten },
                    2 => piece with { Flags = ExtentFlags.DelayedAllocation },
                    _ => piece,
                });
                offset += length;
            }
        }

        // New data where the base had holes.
        map.Add(new Extent(size - Block, 900000 * Block, Block, ExtentFlags.Last));
        return map.GroupBy(extent => extent.Logical).Select(group => group.First()).OrderBy(extent => extent.Logical).ToList();
    }
}
