using Subvol.Replication;

namespace Subvol.Tests.Replication;

public sealed class ReadaheadTests
{
    private const long MiB = 1 << 20;

    [Fact]
    public void AShortRangeIsAdvisedWhole()
    {
        var range = new ChangedRange(10 * MiB, 64 << 10, IsHole: false);

        Assert.Equal(range, Readahead.AdvisedPart(range));
    }

    [Fact]
    public void ARangeOfExactlyTheHeadIsAdvisedWhole()
    {
        var range = new ChangedRange(3 * MiB, Readahead.Head, IsHole: false);

        Assert.Equal(range, Readahead.AdvisedPart(range));
    }

    [Fact]
    public void ALongRangeIsAdvisedOnlyAtItsHeadFromItsOwnStart()
    {
        var range = new ChangedRange(5 * MiB, 70 * MiB, IsHole: false);

        Assert.Equal(new ChangedRange(5 * MiB, Readahead.Head, IsHole: false), Readahead.AdvisedPart(range));
    }
}
