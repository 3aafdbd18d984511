namespace Subvol.Tests.Subvolumes;

public sealed class SubvolumeSizesTests
{
    private const long MiB = 1L << 20;

    [Fact]
    public void ASizeIsRaisedToTheFileSystemsMinimumAndRoundedUpToWholeMiB()
    {
        Assert.Equal(FileSystemKind.MinimumSize(FileSystemKind.Ext4), SubvolumeSizes.AtLeast(1, FileSystemKind.Ext4));
        Assert.Equal(FileSystemKind.MinimumSize(FileSystemKind.Xfs), SubvolumeSizes.AtLeast(FileSystemKind.MinimumSize(FileSystemKind.Ext4), FileSystemKind.Xfs));
        Assert.Equal(65 * MiB, SubvolumeSizes.AtLeast((64 * MiB) + 1, FileSystemKind.Ext4));
        Assert.Equal(64 * MiB, SubvolumeSizes.AtLeast(64 * MiB, FileSystemKind.Ext4));
    }

    [Fact]
    public void ASpaceIsRoundedDownToWholeMiBAndNeverBelowZero()
    {
        Assert.Equal(5 * MiB, SubvolumeSizes.AtMost((6 * MiB) - 1));
        Assert.Equal(0, SubvolumeSizes.AtMost(MiB - 1));
        Assert.Equal(0, SubvolumeSizes.AtMost(-MiB));
    }
}
