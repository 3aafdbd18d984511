using System.Runtime.Versioning;

namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class ExtentMapTests(XfsPoolFixture pool)
{
    private const int Block = 4096;

    [RootFact]
    public void ReadingFromAnOffsetGivesTheExtentsThatEndAfterItAcrossBatches()
    {
        // Every other block written: more than one FIEMAP batch (512 extents) of separate extents.
        var file = Path.Combine(pool.NewDirectory(), "sparse");
        var block = new byte[Block];
        Random.Shared.NextBytes(block);
        using (var handle = File.OpenHandle(file, FileMode.CreateNew, FileAccess.Write))
        {
            for (var i = 0; i < 1400; i++)
            {
                RandomAccess.Write(handle, block, 2L * i * Block);
            }
        }

        var whole = ExtentMap.Read(file);
        Assert.True(whole.Count > 1024, $"only {whole.Count} extents");
        using var opened = File.OpenHandle(file);
        foreach (var offset in new long[] { 0, Block, Block + 1, 2 * Block, 1000L * Block + 7, 2L * 1399 * Block, 2L * 1400 * Block })
        {
            Assert.Equal(whole.Where(extent => extent.Logical + extent.Length > offset), ExtentMap.ReadFrom(opened, file, offset));
        }
    }
}
