namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class FileAdviceTests(XfsPoolFixture pool)
{
    [RootFact]
    public void WillNeedReadsTheRangeIntoThePageCache()
    {
        var path = Path.Combine(pool.NewDirectory(), "data.img");
        var bytes = new byte[8 << 20];
        new Random(5).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        // Written pages stay cached; once synced they are clean, and dropping them makes the file cold.
        Tools.Run("sync");
        File.WriteAllText("/proc/sys/vm/drop_caches", "1");
        Assert.Equal(0L, ResidentBytes(path));

        using (var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read))
        {
            FileAdvice.WillNeed(handle, path, 2 << 20, 4 << 20);
        }

        Assert.True(Waiting.Eventually(() => ResidentBytes(path) >= 4 << 20, TimeSpan.FromSeconds(10)), $"the advised 4 MiB should be read into the page cache; {ResidentBytes(path)} bytes are");
    }

    [Fact]
    public void WillNeedWithANegativeLengthNamesTheCallAndThePath()
    {
        var path = Path.GetTempFileName();
        try
        {
            using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read);
            var exception = Assert.Throws<SystemCallException>(() => FileAdvice.WillNeed(handle, path, 0, -1));
            Assert.Equal(Errno.EINVAL, exception.Errno);
            Assert.Contains("posix_fadvise", exception.Message);
            Assert.Contains(path, exception.Message);
        }
        finally
        {
            File.Delete(path);
        }
    }

    /// <summary>Bytes of the file in the page cache, as fincore(1) counts them.</summary>
    private static long ResidentBytes(string path) =>
        long.Parse(Tools.Run("fincore", "--bytes", "--noheadings", "--output", "RES", path).StandardOutput.Trim(), System.Globalization.CultureInfo.InvariantCulture);
}
