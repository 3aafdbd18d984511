using Subvol.Linux;
using Subvol.Replication;

namespace Subvol.Tests.Replication;

public sealed class ExtentDiffTests
{
    private const long MiB = 1 << 20;

    private static Extent Data(long logical, long physical, long length, ExtentFlags flags = ExtentFlags.None) => new(logical, physical, length, flags);

    [Fact]
    public void AFullStreamCarriesAllDataAndNoHoles()
    {
        var target = new[] { Data(0, 100 * MiB, MiB), Data(4 * MiB, 200 * MiB, 2 * MiB) };

        var changes = ExtentDiff.Compute(null, target, 8 * MiB);

        Assert.Equal([new ChangedRange(0, MiB, false), new ChangedRange(4 * MiB, 2 * MiB, false)], changes);
    }

    [Fact]
    public void IdenticalMapsHaveNoChanges()
    {
        var map = new[] { Data(0, 100 * MiB, 4 * MiB, ExtentFlags.Shared) };
        Assert.Empty(ExtentDiff.Compute(map, map, 4 * MiB));
    }

    [Fact]
    public void SplitExtentsWithTheSamePhysicalAddressesAreUnchanged()
    {
        // XFS reports a shared range as more extents than the original: boundaries must not matter.
        var baseline = new[] { Data(0, 100 * MiB, 4 * MiB) };
        var target = new[] { Data(0, 100 * MiB, MiB), Data(MiB, 101 * MiB, 3 * MiB, ExtentFlags.Shared | ExtentFlags.Last) };

        Assert.Empty(ExtentDiff.Compute(baseline, target, 4 * MiB));
    }

    [Fact]
    public void ARewrittenRangeInTheMiddleIsTheOnlyChange()
    {
        var baseline = new[] { Data(0, 100 * MiB, 4 * MiB) };
        var target = new[] { Data(0, 100 * MiB, MiB), Data(MiB, 500 * MiB, 64 * 1024), Data(MiB + 64 * 1024, 101 * MiB + 64 * 1024, 3 * MiB - 64 * 1024) };

        Assert.Equal([new ChangedRange(MiB, 64 * 1024, false)], ExtentDiff.Compute(baseline, target, 4 * MiB));
    }

    [Fact]
    public void DataThatBecameAHoleIsSentAsAHole()
    {
        var baseline = new[] { Data(0, 100 * MiB, 4 * MiB) };
        var target = new[] { Data(0, 100 * MiB, MiB), Data(2 * MiB, 102 * MiB, 2 * MiB) };

        Assert.Equal([new ChangedRange(MiB, MiB, true)], ExtentDiff.Compute(baseline, target, 4 * MiB));
    }

    [Fact]
    public void UnwrittenExtentsCountAsHoles()
    {
        var baseline = new[] { Data(0, 100 * MiB, 2 * MiB) };
        var target = new[] { Data(0, 100 * MiB, MiB), Data(MiB, 300 * MiB, MiB, ExtentFlags.Unwritten) };

        Assert.Equal([new ChangedRange(MiB, MiB, true)], ExtentDiff.Compute(baseline, target, 2 * MiB));
    }

    [Fact]
    public void TheSameDataMovedToAnotherPhysicalPlaceIsSentAgain()
    {
        // A defragmenter may move data: sending too much is safe, too little is not.
        var baseline = new[] { Data(0, 100 * MiB, MiB) };
        var target = new[] { Data(0, 900 * MiB, MiB) };

        Assert.Equal([new ChangedRange(0, MiB, false)], ExtentDiff.Compute(baseline, target, MiB));
    }

    [Fact]
    public void ExtentsWithoutAPhysicalAddressAreAlwaysSent()
    {
        var map = new[] { Data(0, 0, MiB, ExtentFlags.DelayedAllocation) };
        Assert.Equal([new ChangedRange(0, MiB, false)], ExtentDiff.Compute(map, map, MiB));
    }

    [Fact]
    public void DataBeyondTheBaseAfterGrowthIsSent()
    {
        var baseline = new[] { Data(0, 100 * MiB, MiB) };
        var target = new[] { Data(0, 100 * MiB, MiB), Data(3 * MiB, 400 * MiB, MiB) };

        Assert.Equal([new ChangedRange(3 * MiB, MiB, false)], ExtentDiff.Compute(baseline, target, 4 * MiB));
    }

    [Fact]
    public void ExtentsBeyondTheTargetSizeAreClipped()
    {
        var target = new[] { Data(0, 100 * MiB, 4 * MiB) };
        Assert.Equal([new ChangedRange(0, 2 * MiB, false)], ExtentDiff.Compute(null, target, 2 * MiB));
    }

    [Fact]
    public void RandomMapsAgreeWithAByteByByteModel()
    {
        const int blocks = 64;
        const long block = 4096;
        for (var seed = 0; seed < 500; seed++)
        {
            var random = new Random(seed);
            var basePhysical = RandomLayout(random, blocks);
            var targetPhysical = (long?[])basePhysical.Clone();
            for (var change = random.Next(0, 8); change > 0; change--)
            {
                var at = random.Next(blocks);
                targetPhysical[at] = random.Next(3) == 0 ? null : 10_000 + random.Next(1000);
            }

            var changes = ExtentDiff.Compute(ToExtents(basePhysical, block, random), ToExtents(targetPhysical, block, random), blocks * block);

            for (var index = 0; index < blocks; index++)
            {
                var offset = index * block;
                var covering = changes.Where(range => range.Offset <= offset && offset < range.End).ToList();
                var expectChange = targetPhysical[index] != basePhysical[index];
                Assert.True(expectChange == (covering.Count == 1), $"seed {seed}, block {index}");
                if (expectChange)
                {
                    Assert.Equal(targetPhysical[index] is null, covering[0].IsHole);
                }
            }
        }
    }

    private static long?[] RandomLayout(Random random, int blocks)
    {
        var layout = new long?[blocks];
        for (var index = 0; index < blocks; index++)
        {
            layout[index] = random.Next(4) == 0 ? null : 1000 + index;
        }

        return layout;
    }

    /// <summary>Turns a per-block layout into extents, splitting runs at random as XFS does.</summary>
    private static List<Extent> ToExtents(long?[] physical, long block, Random random)
    {
        var extents = new List<Extent>();
        var index = 0;
        while (index < physical.Length)
        {
            if (physical[index] is not { } start)
            {
                index++;
                continue;
            }

            var length = 1;
            while (index + length < physical.Length && physical[index + length] == start + length && random.Next(4) != 0)
            {
                length++;
            }

            extents.Add(new Extent(index * block, start * block, length * block, ExtentFlags.None));
            index += length;
        }

        return extents;
    }
}
