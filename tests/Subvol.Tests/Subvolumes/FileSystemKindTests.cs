namespace Subvol.Tests.Subvolumes;

public sealed class FileSystemKindTests
{
    [Theory]
    [InlineData("xfs", true)]
    [InlineData("ext4", true)]
    [InlineData("btrfs", false)]
    [InlineData("XFS", false)]
    [InlineData("", false)]
    public void OnlyXfsAndExt4AreSupportedAsSpelledByTheKernel(string fileSystem, bool supported)
    {
        Assert.Equal(supported, FileSystemKind.IsSupported(fileSystem));
        if (!supported)
        {
            Assert.Equal(SubvolErrorCode.InvalidArgument, Assert.Throws<SubvolException>(() => FileSystemKind.Validate(fileSystem)).Code);
        }
    }
}
