using Subvol.Tests.Pools;

namespace Subvol.Tests.Subvolumes;

/// <summary>A subvolume in use as a raw block device keeps its image until it is detached.</summary>
public sealed class BlockDeviceDeletionTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private Pool Pool => fixture.Pool;

    [RootFact]
    public void DeleteRefusesASubvolumeAttachedAsABlockDeviceAndDeletesItOnceDetached()
    {
        Pool.CreateSubvolume("raw", 16L << 20, FileSystemKind.Ext4, Provisioning.Thin);
        var device = Pool.Attach("raw", readOnly: false).Value;
        try
        {
            var refusal = Assert.Throws<SubvolException>(() => Pool.DeleteSubvolume("raw", recursive: false));

            Assert.Equal(SubvolErrorCode.Busy, refusal.Code);
            Assert.Contains(device, refusal.Message);
            Assert.NotNull(Pool.FindSubvolume("raw"));
        }
        finally
        {
            Pool.Detach("raw");
        }

        Assert.Equal(Outcome.Deleted, Pool.DeleteSubvolume("raw", recursive: false));
        Assert.Null(Pool.FindSubvolume("raw"));
    }
}
