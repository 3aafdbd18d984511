using Subvol.Linux;
using Subvol.Tests.Pools;

namespace Subvol.Tests.Space;

/// <summary>Admission on a plain directory pool: the host filesystem's real free space is the budget.</summary>
public sealed class AdmissionTests : IDisposable
{
    private readonly TemporaryPool _pool = new();

    public void Dispose() => _pool.Dispose();

    private Pool Pool => _pool.Pool;

    private long HostSize => FileSystemStatistics.Get(_pool.Root).TotalBytes;

    [Fact]
    public void SlopIsThreePointTwoPercentBoundedByOneHundredTwentyEightMiBAndHalfThePool()
    {
        Assert.Equal(128L << 20, Pool.Slop(1L << 30));
        Assert.Equal(32L << 30, Pool.Slop(1000L << 30));
        Assert.Equal(64L << 20, Pool.Slop(128L << 20));
    }

    [Fact]
    public void AGuaranteedSubvolumeLargerThanTheFreeSpaceIsRefusedWithTheNumbers()
    {
        var tooLarge = ByteSize.RoundUp(FileSystemStatistics.Get(_pool.Root).AvailableBytes + (1L << 30), 1 << 20);

        var exception = Assert.Throws<SubvolException>(() => Pool.CreateSubvolume("huge", tooLarge, FileSystemKind.Ext4, Provisioning.Guaranteed));

        Assert.Equal(SubvolErrorCode.NoSpace, exception.Code);
        Assert.Contains("free beyond its reservations", exception.Message);
        Assert.Contains("more reserved", exception.Message);
        Assert.Empty(Pool.ListSubvolumes());
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(_pool.Root, "incoming")));
    }

    [Fact]
    public void ThinSubvolumesBeyondTheOvercommitRatioAreRefusedUntilItIsRaised()
    {
        var half = ByteSize.RoundUp(HostSize / 2 + (1L << 20), 1 << 20);
        Pool.CreateSubvolume("a", half, FileSystemKind.Ext4, Provisioning.Thin);

        var exception = Assert.Throws<SubvolException>(() => Pool.CreateSubvolume("b", half, FileSystemKind.Ext4, Provisioning.Thin));
        Assert.Equal(SubvolErrorCode.NoSpace, exception.Code);
        Assert.Contains("overcommit", exception.Message);

        Pool.SetOvercommit(1.5);
        Assert.Equal(Outcome.Created, Pool.CreateSubvolume("b", half, FileSystemKind.Ext4, Provisioning.Thin).Outcome);
        Assert.Equal(1.5, Pool.Overcommit);
    }

    [Theory]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    [InlineData(1000)]
    public void OvercommitRatiosOutsideOneToOneHundredAreRefused(double ratio)
    {
        Assert.Equal(SubvolErrorCode.InvalidArgument, Assert.Throws<SubvolException>(() => Pool.SetOvercommit(ratio)).Code);
    }

    [Fact]
    public void StatusReportsReservedHeadroomOfGuaranteedSubvolumes()
    {
        Pool.CreateSubvolume("home", 32L << 20, FileSystemKind.Ext4, Provisioning.Guaranteed);
        var status = Pool.Status();

        // Freshly allocated and unshared: nothing more to reserve.
        Assert.Equal(0, status.Reserved);
        Assert.Equal(32L << 20, status.Provisioned);
        Assert.True(status.Available <= status.Size);
    }
}
