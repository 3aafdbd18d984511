using Subvol.ChangedBlocks;
using Subvol.Linux;
using Subvol.Tests.Pools;

namespace Subvol.Tests.ChangedBlocks;

/// <summary>Changed-block tracking on real snapshot images: the rule send uses, resumable at any offset, with errors that say what was wrong.</summary>
public sealed class BlockTrackingTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private const long Size = 32L << 20;
    private const int Block = 4096;

    private Pool Pool => fixture.Pool;

    [RootFact]
    public void ADeltaIsExactlyWhatSendFindsBetweenTheSameSnapshots()
    {
        var (baseline, target) = TwoSnapshots("delta-send", new Random(1));

        using var delta = Pool.ChangedBlocks(baseline, target, 0);
        var found = delta.Ranges.ToList();

        var send = ExtentDiff.Compute(ExtentMap.Read(Image(baseline)), ExtentMap.Read(Image(target)), Size)
            .Select(range => new BlockRange(range.Offset, range.Length));
        Assert.NotEmpty(found);
        Assert.Equal(Blocks(send), Blocks(found));
        Assert.Equal(Size, delta.VolumeSize);
    }

    [RootFact]
    public void ResumingAtAnOffsetGivesTheRestOfTheSameAnswer()
    {
        var (baseline, target) = TwoSnapshots("delta-resume", new Random(2));
        List<BlockRange> whole;
        using (var delta = Pool.ChangedBlocks(baseline, target, 0))
        {
            whole = delta.Ranges.ToList();
        }

        var random = new Random(3);
        var offsets = whole.SelectMany(range => new[] { range.Offset, range.Offset + 1, range.End, range.End - 1 }).Take(40)
            .Concat(Enumerable.Range(0, 20).Select(_ => random.NextInt64(0, Size))).Append(Size);
        foreach (var offset in offsets)
        {
            using var resumed = Pool.ChangedBlocks(baseline, target, offset);
            var expected = whole.Where(range => range.End > offset).Select(range => range.Offset >= offset ? range : new BlockRange(offset, range.End - offset));
            Assert.Equal(expected, resumed.Ranges);
        }
    }

    [RootFact]
    public void AllocatedRangesResumeAtAnOffsetToo()
    {
        var (_, target) = TwoSnapshots("allocated-resume", new Random(4));
        List<BlockRange> whole;
        using (var allocated = Pool.AllocatedBlocks(target, 0))
        {
            whole = allocated.Ranges.ToList();
        }

        Assert.NotEmpty(whole);
        foreach (var offset in whole.SelectMany(range => new[] { range.Offset + 1, range.End }))
        {
            using var resumed = Pool.AllocatedBlocks(target, offset);
            var expected = whole.Where(range => range.End > offset).Select(range => range.Offset >= offset ? range : new BlockRange(offset, range.End - offset));
            Assert.Equal(expected, resumed.Ranges);
        }
    }

    [RootFact]
    public void RequestsThatCannotBeAnsweredSayWhy()
    {
        var (baseline, target) = TwoSnapshots("delta-errors", new Random(5));
        Pool.CreateSubvolume("delta-other", Size, FileSystemKind.Ext4, Provisioning.Thin);
        var other = new SnapshotReference("delta-other", "s1");
        Pool.CreateSnapshot(other.Subvolume, other.Snapshot);

        Assert.Equal(SubvolErrorCode.NotFound, Assert.Throws<SubvolException>(() => Pool.AllocatedBlocks(new SnapshotReference("delta-errors", "missing"), 0)).Code);
        Assert.Equal(SubvolErrorCode.NotFound, Assert.Throws<SubvolException>(() => Pool.ChangedBlocks(new SnapshotReference("nobody", "s1"), target, 0)).Code);
        Assert.Equal(SubvolErrorCode.OutOfRange, Assert.Throws<SubvolException>(() => Pool.AllocatedBlocks(target, Size + 1)).Code);
        Assert.Equal(SubvolErrorCode.OutOfRange, Assert.Throws<SubvolException>(() => Pool.ChangedBlocks(baseline, target, -1)).Code);
        Assert.Equal(SubvolErrorCode.InvalidArgument, Assert.Throws<SubvolException>(() => Pool.ChangedBlocks(target, baseline, 0)).Code);
        Assert.Equal(SubvolErrorCode.InvalidArgument, Assert.Throws<SubvolException>(() => Pool.ChangedBlocks(target, target, 0)).Code);
        Assert.Equal(SubvolErrorCode.InvalidArgument, Assert.Throws<SubvolException>(() => Pool.ChangedBlocks(other, target, 0)).Code);
        using var atTheEnd = Pool.ChangedBlocks(baseline, target, Size);
        Assert.Empty(atTheEnd.Ranges);
    }

    /// <summary>
    /// A subvolume written as a block device would be (straight into its unmounted image), snapshotted, then changed by
    /// rewritten blocks, writes off block boundaries, a punched hole and new data in a hole, and snapshotted again.
    /// </summary>
    private (SnapshotReference Baseline, SnapshotReference Target) TwoSnapshots(string name, Random random)
    {
        Pool.CreateSubvolume(name, Size, FileSystemKind.Ext4, Provisioning.Thin);
        var image = Path.Combine(Pool.Path, "subvolumes", name + ".img");
        using (var file = File.OpenHandle(image, FileMode.Open, FileAccess.Write))
        {
            for (var i = 0; i < 40; i++)
            {
                RandomAccess.Write(file, Bytes(random, random.Next(1, 64) * Block), random.NextInt64(Size / Block / 2, Size / Block - 64) * Block);
            }
        }

        Pool.CreateSnapshot(name, "s1");
        using (var file = File.OpenHandle(image, FileMode.Open, FileAccess.Write))
        {
            for (var i = 0; i < 30; i++)
            {
                RandomAccess.Write(file, Bytes(random, random.Next(1, 16) * Block), random.NextInt64(Size / Block / 2, Size / Block - 16) * Block);
                RandomAccess.Write(file, Bytes(random, random.Next(1, 300)), random.NextInt64(Size / 2, Size - 300));
            }

            FileSpace.PunchHole(file, image, Size - 32 * Block, 8 * Block);
        }

        Pool.CreateSnapshot(name, "s2");
        return (new SnapshotReference(name, "s1"), new SnapshotReference(name, "s2"));
    }

    private string Image(SnapshotReference snapshot) => Path.Combine(Pool.Path, "snapshots", snapshot.Subvolume, snapshot.Snapshot + ".img");

    private static byte[] Bytes(Random random, int length)
    {
        var bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    private static SortedSet<long> Blocks(IEnumerable<BlockRange> ranges)
    {
        var blocks = new SortedSet<long>();
        foreach (var range in ranges)
        {
            for (var offset = range.Offset; offset < range.End; offset += Block)
            {
                blocks.Add(offset);
            }
        }

        return blocks;
    }
}
