namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class MountsTests(XfsPoolFixture pool)
{
    [RootFact]
    public void ReadFindsThePoolMountWithItsDeviceAndType()
    {
        var entry = Mounts.FindByTarget(pool.MountPoint);

        Assert.NotNull(entry);
        Assert.Equal(pool.DevicePath, entry.Source);
        Assert.Equal("xfs", entry.FileSystemType);
        Assert.Contains(entry, Mounts.Read());
        Assert.Equal([entry], Mounts.FindBySource(pool.DevicePath));
    }

    [RootFact]
    public void FindByTargetAcceptsATrailingSlash()
    {
        Assert.Equal(Mounts.FindByTarget(pool.MountPoint), Mounts.FindByTarget(pool.MountPoint + "/"));
    }

    [RootFact]
    public void MountPointWithSpacesIsFoundUnescaped()
    {
        var target = Directory.CreateDirectory(Path.Combine(pool.NewHostDirectory(), "with space\tand tab")).FullName;
        try
        {
            Mounts.Mount("subvol test", target, "tmpfs", MountFlags.NoSuid | MountFlags.NoDev | MountFlags.ReadOnly, "size=1m");

            var entry = Mounts.FindByTarget(target);
            Assert.NotNull(entry);
            Assert.Equal("subvol test", entry.Source);
            Assert.Equal("tmpfs", entry.FileSystemType);
            Assert.Contains("ro", entry.MountOptions.Split(','));
            Assert.Contains("nosuid", entry.MountOptions.Split(','));
        }
        finally
        {
            DirectoryCleanUp.Release(target);
        }

        Assert.Null(Mounts.FindByTarget(target));
    }

    [RootFact]
    public void UnmountOfABusyMountFailsWithEbusyAndLazyUnmountSucceeds()
    {
        var target = Directory.CreateDirectory(Path.Combine(pool.NewHostDirectory(), "busy")).FullName;
        try
        {
            Mounts.Mount("tmpfs", target, "tmpfs", MountFlags.None, "size=1m");
            using (File.Open(Path.Combine(target, "open"), FileMode.Create))
            {
                var exception = Assert.Throws<SystemCallException>(() => Mounts.Unmount(target));
                Assert.Equal(Errno.EBUSY, exception.Errno);

                Mounts.Unmount(target, detachLazily: true);
                Assert.Null(Mounts.FindByTarget(target));
            }
        }
        finally
        {
            DirectoryCleanUp.Release(target);
        }
    }

    [RootFact]
    public void UnmountPatientlyWaitsOutAMountHeldForAMomentAndGivesUpOnOneKeptOpen()
    {
        var target = Directory.CreateDirectory(Path.Combine(pool.NewHostDirectory(), "held")).FullName;
        try
        {
            Mounts.Mount("tmpfs", target, "tmpfs", MountFlags.None, "size=1m");
            using (File.Open(Path.Combine(target, "kept"), FileMode.Create))
            {
                var exception = Assert.Throws<SystemCallException>(() => Mounts.UnmountPatiently(target, TimeSpan.FromMilliseconds(100)));
                Assert.Equal(Errno.EBUSY, exception.Errno);
                Assert.NotNull(Mounts.FindByTarget(target));
            }

            var held = File.Open(Path.Combine(target, "moment"), FileMode.Create);
            var release = Task.Run(() =>
            {
                Thread.Sleep(150);
                held.Dispose();
            });
            Mounts.UnmountPatiently(target, TimeSpan.FromSeconds(5));
            release.GetAwaiter().GetResult();

            Assert.Null(Mounts.FindByTarget(target));
        }
        finally
        {
            DirectoryCleanUp.Release(target);
        }
    }

    [RootFact]
    public void UnmountDoesNotFollowASymbolicLinkToAMountPoint()
    {
        var directory = pool.NewHostDirectory();
        var target = Directory.CreateDirectory(Path.Combine(directory, "mounted")).FullName;
        var link = Path.Combine(directory, "link");
        try
        {
            Mounts.Mount("tmpfs", target, "tmpfs", MountFlags.None, "size=1m");
            File.CreateSymbolicLink(link, target);

            var exception = Assert.Throws<SystemCallException>(() => Mounts.Unmount(link));

            Assert.Equal(Errno.EINVAL, exception.Errno);
            Assert.NotNull(Mounts.FindByTarget(target));
            Mounts.Unmount(target);
            Assert.Null(Mounts.FindByTarget(target));
        }
        finally
        {
            DirectoryCleanUp.Release(target);
        }
    }

    [RootFact]
    public void FileSystemStatisticsReportsXfsSizes()
    {
        var usage = FileSystemStatistics.Get(pool.MountPoint);

        Assert.Equal("xfs", usage.TypeName);
        Assert.Equal(0x58465342, usage.TypeMagic);
        Assert.InRange(usage.TotalBytes, 400L << 20, 512L << 20);
        Assert.InRange(usage.AvailableBytes, 1, usage.FreeBytes);
        Assert.Equal(4096, usage.BlockSize);
    }
}
