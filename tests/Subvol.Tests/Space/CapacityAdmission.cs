namespace Subvol.Tests.Space;

/// <summary>Proves that a pool admits a new subvolume of the capacity it reports, and refuses one MiB more.</summary>
internal static class CapacityAdmission
{
    private const long MiB = 1L << 20;

    public static void AdmitsExactlyTheReportedCapacity(Pool pool, Provisioning provisioning)
    {
        var name = ProvisioningNames.Format(provisioning);
        var capacity = pool.Status().CapacityFor(provisioning);
        Assert.True(capacity >= FileSystemKind.MinimumSize(FileSystemKind.Ext4), $"the pool should have room for a subvolume, and reports {capacity} bytes");
        try
        {
            var exception = Assert.Throws<SubvolException>(() => pool.CreateSubvolume(name + "-over", capacity + MiB, FileSystemKind.Ext4, provisioning));
            Assert.Equal(SubvolErrorCode.NoSpace, exception.Code);

            Assert.Equal(Outcome.Created, pool.CreateSubvolume(name, capacity, FileSystemKind.Ext4, provisioning).Outcome);
            Assert.Equal(0, pool.Status().CapacityFor(provisioning));
        }
        finally
        {
            pool.DeleteSubvolume(name + "-over", recursive: true);
            pool.DeleteSubvolume(name, recursive: true);
        }
    }
}
