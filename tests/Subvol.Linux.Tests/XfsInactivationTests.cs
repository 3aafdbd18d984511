using System.Runtime.Versioning;

namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
[SupportedOSPlatform("linux")]
public sealed class XfsInactivationTests(XfsPoolFixture pool)
{
    [RootFact]
    public void After_the_wait_a_deleted_clone_shares_nothing_with_its_source_any_more()
    {
        var directory = pool.NewDirectory();
        var source = Path.Combine(directory, "source");
        var data = new byte[4 << 20];
        Random.Shared.NextBytes(data);
        File.WriteAllBytes(source, data);

        // XFS frees a deleted clone in the background; without the wait the source's extents often still read as shared.
        for (var round = 0; round < 20; round++)
        {
            var clone = Path.Combine(directory, "clone");
            Reflink.CloneFile(source, clone);
            File.Delete(clone);

            Assert.True(XfsInactivation.WaitForFrees(directory), "XFS should accept the wait");
            Assert.All(ExtentMap.Read(source), extent => Assert.False(extent.Flags.HasFlag(ExtentFlags.Shared), $"round {round}: {extent}"));
        }
    }

    [Fact]
    public void On_a_filesystem_that_is_not_xfs_the_wait_is_declined()
    {
        Assert.False(XfsInactivation.WaitForFrees("/proc"));
    }
}
