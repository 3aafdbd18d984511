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
        Assert.Equal(128L << 20, SpaceAdmission.Slop(1L << 30));
        Assert.Equal(32L << 30, SpaceAdmission.Slop(1000L << 30));
        Assert.Equal(64L << 20, SpaceAdmission.Slop(128L << 20));
    }

    [Fact]
    public void AFileBackedPoolMadeBeforeImagesWereAllocatedCountsAsSparse()
    {
        Assert.Null(Pool.ImageSparse);

        // What an older version recorded for a file-backed pool: its image, and nothing about allocation.
        Pool.Database.SetPoolValue("image", Path.Combine(_pool.Root, "pool.img"));

        Assert.True(Pool.ImageSparse);
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

    [Fact]
    public void ThinSubvolumesCannotBePromisedTheHeadroomReservedForGuaranteedOnes()
    {
        // A guaranteed subvolume whose blocks were given back must be able to allocate all of them again.
        const long guaranteedSize = 8L << 30;
        Pool.CreateSubvolume("promised", guaranteedSize, FileSystemKind.Ext4, Provisioning.Guaranteed);
        FileSpace.PunchHole(Path.Combine(_pool.Root, "subvolumes", "promised.img"), 0, guaranteedSize);
        Assert.Equal(guaranteedSize, Pool.Status().Reserved);

        // Beside the guaranteed subvolume's size this fits the host, but not beside its reservation as well.
        var thin = ByteSize.RoundUp(HostSize - guaranteedSize - guaranteedSize / 2, 1 << 20);
        var exception = Assert.Throws<SubvolException>(() => Pool.CreateSubvolume("greedy", thin, FileSystemKind.Ext4, Provisioning.Thin));

        Assert.Equal(SubvolErrorCode.NoSpace, exception.Code);
        Assert.Contains("reserved for guaranteed subvolumes", exception.Message);
        Assert.DoesNotContain(Pool.ListSubvolumes(), subvolume => subvolume.Name == "greedy");
        Assert.True(Pool.Status().ThinAvailable < thin, "pool status shows thin subvolumes less room than the refused promise");
    }

    [Fact]
    public void APoolOnADirectoryHasNoImageToBeSparseAndNoShortfallWithRoomToSpare()
    {
        Pool.CreateSubvolume("home", 32L << 20, FileSystemKind.Ext4, Provisioning.Guaranteed);
        var status = Pool.Status();

        Assert.Null(status.ImageSparse);
        Assert.Equal(0, status.Shortfall);
        Assert.Null(Pool.SpaceWarning());
        Assert.True(status.ImagesUsed >= 32L << 20, $"the guaranteed image's {32L << 20} allocated bytes count as the images' use, not {status.ImagesUsed}");
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
