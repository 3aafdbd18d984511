using Subvol.Accounting;
using Subvol.Linux;

namespace Subvol.Tests.Accounting;

public sealed class SharingCalculatorTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void UnsharedExtentsAreAllExclusive()
    {
        var (images, allocated) = SharingCalculator.Compute(new Dictionary<string, IReadOnlyList<Extent>>
        {
            ["home"] = [new Extent(0, 100 * MiB, 4 * MiB, ExtentFlags.None)],
        });

        Assert.Equal((4 * MiB, 4 * MiB), images["home"]);
        Assert.Equal(4 * MiB, allocated);
    }

    [Fact]
    public void AFreshSnapshotSharesEverythingWithItsOrigin()
    {
        var (images, allocated) = SharingCalculator.Compute(new Dictionary<string, IReadOnlyList<Extent>>
        {
            ["home"] = [new Extent(0, 100 * MiB, 4 * MiB, ExtentFlags.Shared)],
            ["home@a"] = [new Extent(0, 100 * MiB, 4 * MiB, ExtentFlags.Shared)],
        });

        Assert.Equal((4 * MiB, 0L), images["home"]);
        Assert.Equal((4 * MiB, 0L), images["home@a"]);
        Assert.Equal(4 * MiB, allocated);
    }

    [Fact]
    public void RewritingPartOfTheOriginMakesTheOldBlocksExclusiveToTheSnapshot()
    {
        var (images, allocated) = SharingCalculator.Compute(new Dictionary<string, IReadOnlyList<Extent>>
        {
            ["home"] = [new Extent(0, 100 * MiB, 3 * MiB, ExtentFlags.Shared), new Extent(3 * MiB, 900 * MiB, MiB, ExtentFlags.None)],
            ["home@a"] = [new Extent(0, 100 * MiB, 4 * MiB, ExtentFlags.Shared)],
        });

        Assert.Equal((4 * MiB, MiB), images["home"]);
        Assert.Equal((4 * MiB, MiB), images["home@a"]);
        Assert.Equal(5 * MiB, allocated);
    }

    [Fact]
    public void BlocksSharedOnlyWithSomethingOutsideThePoolCountAsExclusive()
    {
        var (images, _) = SharingCalculator.Compute(new Dictionary<string, IReadOnlyList<Extent>>
        {
            ["home"] = [new Extent(0, 100 * MiB, 2 * MiB, ExtentFlags.Shared)],
            ["other"] = [new Extent(0, 500 * MiB, 2 * MiB, ExtentFlags.Shared)],
        });

        Assert.Equal((2 * MiB, 2 * MiB), images["home"]);
        Assert.Equal((2 * MiB, 2 * MiB), images["other"]);
    }

    [Fact]
    public void ThreeWaySharingLeavesNothingExclusive()
    {
        var shared = new Extent(0, 100 * MiB, MiB, ExtentFlags.Shared);
        var (images, allocated) = SharingCalculator.Compute(new Dictionary<string, IReadOnlyList<Extent>>
        {
            ["home"] = [shared],
            ["home@a"] = [shared],
            ["clone"] = [shared],
        });

        Assert.All(images.Values, value => Assert.Equal(0L, value.Exclusive));
        Assert.Equal(MiB, allocated);
    }
}
