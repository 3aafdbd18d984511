namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class FileSpaceTests(XfsPoolFixture pool)
{
    private const int Block = 64 << 10;

    [RootFact]
    public void DataRangesFindWrittenRegionsOfASparseFile()
    {
        var path = SparseWithTwoRegions();

        Assert.Equal([new FileRange(0, Block), new FileRange(8L << 20, Block)], FileSpace.DataRanges(path));
    }

    [RootFact]
    public void AllocatedBytesCountsOnlyWrittenRegions()
    {
        var path = SparseWithTwoRegions();

        Assert.Equal(2 * Block, FileSpace.AllocatedBytes(path));
    }

    [RootFact]
    public void PunchHoleFreesARegionAndKeepsTheSize()
    {
        var path = SparseWithTwoRegions();

        FileSpace.PunchHole(path, 0, Block);

        Assert.Equal([new FileRange(8L << 20, Block)], FileSpace.DataRanges(path));
        Assert.Equal(Block, FileSpace.AllocatedBytes(path));
        Assert.Equal(16L << 20, new FileInfo(path).Length);
        Assert.All(ReadAt(path, 0, Block), b => Assert.Equal(0, b));
    }

    [RootFact]
    public void PreallocateReservesSpace()
    {
        var path = SparseWithTwoRegions();

        FileSpace.Preallocate(path, 1L << 20, 1L << 20);

        Assert.True(FileSpace.AllocatedBytes(path) >= (1L << 20) + (2 * Block));
        Assert.Equal(16L << 20, new FileInfo(path).Length);
    }

    [RootFact]
    public void EmptyFileHasNoDataRanges()
    {
        var path = Scratch.NewSparseFile(pool.NewDirectory(), "empty", 1L << 20);

        Assert.Empty(FileSpace.DataRanges(path));
        Assert.Equal(0, FileSpace.AllocatedBytes(path));
    }

    private string SparseWithTwoRegions()
    {
        var path = Scratch.NewSparseFile(pool.NewDirectory(), "sparse", 16L << 20);
        var data = new byte[Block];
        Random.Shared.NextBytes(data);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.Write(data);
        stream.Position = 8L << 20;
        stream.Write(data);
        stream.Flush(flushToDisk: true);
        return path;
    }

    private static byte[] ReadAt(string path, long offset, int length)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read);
        var buffer = new byte[length];
        stream.Position = offset;
        stream.ReadExactly(buffer);
        return buffer;
    }
}
