using System.Globalization;

namespace Subvol.Linux.Tests;

[Collection(XfsPoolCollection.Name)]
public sealed class LoopDeviceTests(XfsPoolFixture pool)
{
    private const long ImageSize = 300L << 20;

    [RootFact]
    public void AutoClearDeviceStaysWhileMountedAndGoesAtUnmount()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "a.img", ImageSize);
        var target = Directory.CreateDirectory(Path.Combine(directory, "mnt")).FullName;
        Tools.MakeXfs(image, label: null, reflink: true);
        try
        {
            string device;
            using (var loop = LoopDevice.Attach(image, readOnly: false, directIo: true, autoClear: true))
            {
                device = loop.DevicePath;
                Assert.Equal(image, loop.ImagePath);
                Mounts.Mount(loop.DevicePath, target, "xfs", MountFlags.None, null);
            }

            var info = LoopDevice.FindByBackingFile(image);
            Assert.NotNull(info);
            Assert.Equal(device, info.DevicePath);
            Assert.True(info.AutoClear);
            Assert.False(info.ReadOnly);
            Assert.Contains(info, LoopDevice.List());

            Mounts.Unmount(target);

            Assert.True(Waiting.Eventually(() => LoopDevice.FindByBackingFile(image) is null, Scratch.Patience));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void DirectIoIsUsedOnAnXfsHost()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "dio.img", ImageSize);
        try
        {
            using var loop = LoopDevice.Attach(image, readOnly: false, directIo: true, autoClear: true);

            Assert.True(loop.DirectIo);
            Assert.Equal("4096", SysBlock(loop.DevicePath, "queue/logical_block_size"));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void BufferedDeviceReportsNoDirectIo()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "buffered.img", ImageSize);
        try
        {
            using var loop = LoopDevice.Attach(image, readOnly: false, directIo: false, autoClear: true);

            Assert.False(loop.DirectIo);
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void ReadOnlyDeviceIsListedReadOnly()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "ro.img", ImageSize);
        try
        {
            using var loop = LoopDevice.Attach(image, readOnly: true, directIo: false, autoClear: true);

            var info = LoopDevice.FindByBackingFile(image);
            Assert.NotNull(info);
            Assert.True(info.ReadOnly);
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void AutoClearDeviceGoesWhenClosedUnused()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "closed.img", ImageSize);
        try
        {
            LoopDevice.Attach(image, readOnly: false, directIo: false, autoClear: true).Dispose();

            Assert.True(Waiting.Eventually(() => LoopDevice.FindByBackingFile(image) is null, Scratch.Patience));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void DetachUnbindsAPersistentDevice()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "persistent.img", ImageSize);
        try
        {
            var loop = LoopDevice.Attach(image, readOnly: false, directIo: false, autoClear: false);
            Assert.False(LoopDevice.FindByBackingFile(image)!.AutoClear);

            loop.Detach();

            Assert.True(Waiting.Eventually(() => LoopDevice.FindByBackingFile(image) is null, Scratch.Patience));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void DetachDeviceUnbindsALeftoverDeviceAndIgnoresMissingOnes()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "leftover.img", ImageSize);
        try
        {
            string device;
            using (var loop = LoopDevice.Attach(image, readOnly: false, directIo: false, autoClear: false))
            {
                device = loop.DevicePath;
            }

            Assert.NotNull(LoopDevice.FindByBackingFile(image));

            LoopDevice.DetachDevice(device, image);

            Assert.True(Waiting.Eventually(() => LoopDevice.FindByBackingFile(image) is null, Scratch.Patience));

            // Never the freed number again: other test processes may have bound it by now.
            LoopDevice.DetachDevice("/dev/loop-no-such-device", image);
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void DetachDeviceLeavesADeviceNowBoundToAnotherFileAlone()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "ours.img", ImageSize);
        var other = Scratch.NewSparseFile(directory, "someone-elses.img", ImageSize);
        try
        {
            using var loop = LoopDevice.Attach(other, readOnly: false, directIo: false, autoClear: false);

            LoopDevice.DetachDevice(loop.DevicePath, image);

            // LOOP_CLR_FD on a device others hold open only marks it auto-clear, so that flag is what would show it.
            var still = LoopDevice.FindByBackingFile(other);
            Assert.NotNull(still);
            Assert.Equal(loop.DevicePath, still.DevicePath);
            Assert.False(still.AutoClear);
            loop.Detach();
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void RefreshCapacityPicksUpAGrownImageAndXfsGrowsIntoIt()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "grow.img", ImageSize);
        var target = Directory.CreateDirectory(Path.Combine(directory, "mnt")).FullName;
        Tools.MakeXfs(image, label: null, reflink: true);
        try
        {
            using var loop = LoopDevice.Attach(image, readOnly: false, directIo: true, autoClear: true);
            Mounts.Mount(loop.DevicePath, target, "xfs", MountFlags.None, null);
            var before = FileSystemStatistics.Get(target).TotalBytes;

            using (var stream = new FileStream(image, FileMode.Open, FileAccess.Write))
            {
                stream.SetLength(ImageSize * 2);
            }

            LoopDevice.RefreshCapacity(loop.DevicePath);

            Assert.Equal(ImageSize * 2 / 512, long.Parse(SysBlock(loop.DevicePath, "size"), CultureInfo.InvariantCulture));
            Tools.GrowXfs(target);
            Assert.True(FileSystemStatistics.Get(target).TotalBytes > before + (ImageSize / 2));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void ListBackedByFindsADeviceAttachedThroughAnotherLinkToTheFile()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "linked.img", ImageSize);
        var link = Path.Combine(directory, "other-name.img");
        MakeHardLink(image, link);
        try
        {
            using var loop = LoopDevice.Attach(link, readOnly: true, directIo: false, autoClear: true);

            var found = Assert.Single(LoopDevice.ListBackedBy(image));
            Assert.Equal(loop.DevicePath, found.DevicePath);
            Assert.Equal(link, found.BackingFile);
            Assert.True(found.ReadOnly);
            Assert.True(found.AutoClear);
            Assert.False(found.DirectIo);
            Assert.Null(LoopDevice.FindByBackingFile(image));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void ListBackedByReportsFlagsAsSysfsDoes()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "flags.img", ImageSize);
        try
        {
            var loop = LoopDevice.Attach(image, readOnly: false, directIo: true, autoClear: false);
            try
            {
                var found = Assert.Single(LoopDevice.ListBackedBy(image));
                Assert.Equal(LoopDevice.FindByBackingFile(image), found);
            }
            finally
            {
                loop.Detach();
            }

            Assert.True(Waiting.Eventually(() => LoopDevice.ListBackedBy(image).Count == 0, Scratch.Patience));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void ListBackedByIgnoresDevicesOfOtherFilesAndFilesThatAreGone()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "mine.img", ImageSize);
        var other = Scratch.NewSparseFile(directory, "other.img", ImageSize);
        try
        {
            using var loop = LoopDevice.Attach(other, readOnly: false, directIo: false, autoClear: true);

            Assert.Empty(LoopDevice.ListBackedBy(image));
            Assert.Empty(LoopDevice.ListBackedBy(Path.Combine(directory, "missing.img")));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void ListBackedByDoesNotFollowALinkPlantedInPlaceOfTheFile()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "target.img", ImageSize);
        var planted = Path.Combine(directory, "planted.img");
        File.CreateSymbolicLink(planted, image);
        try
        {
            using var loop = LoopDevice.Attach(image, readOnly: false, directIo: false, autoClear: true);

            Assert.Empty(LoopDevice.ListBackedBy(planted));
            Assert.Single(LoopDevice.ListBackedBy(image));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void ListBackedByStillFindsADeviceWhoseFileWasUnlinked()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "unlinked.img", ImageSize);
        try
        {
            using var loop = LoopDevice.Attach(image, readOnly: false, directIo: false, autoClear: true);
            File.Delete(image);

            var found = Assert.Single(LoopDevice.ListBackedBy(image));
            Assert.Equal(loop.DevicePath, found.DevicePath);
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    [RootFact]
    public void ListBackedByAmongNamedDevicesAsksOnlyThoseAndSkipsNamesThatAreNoLoopDevice()
    {
        var directory = pool.NewDirectory();
        var image = Scratch.NewSparseFile(directory, "named.img", ImageSize);
        var other = Scratch.NewSparseFile(directory, "named-other.img", ImageSize);
        try
        {
            using var loop = LoopDevice.Attach(image, readOnly: false, directIo: false, autoClear: true);
            using var otherLoop = LoopDevice.Attach(other, readOnly: true, directIo: false, autoClear: true);

            var found = Assert.Single(LoopDevice.ListBackedBy(image, ["tmpfs", "/dev/vda", otherLoop.DevicePath, loop.DevicePath, loop.DevicePath]));
            Assert.Equal(LoopDevice.ListBackedBy(image).Single(), found);
            Assert.Empty(LoopDevice.ListBackedBy(image, [otherLoop.DevicePath, "/dev/loop-control", "none"]));
        }
        finally
        {
            DirectoryCleanUp.Release(directory);
        }
    }

    private static void MakeHardLink(string file, string link)
    {
        using var ln = System.Diagnostics.Process.Start("ln", [file, link]);
        ln.WaitForExit();
        Assert.Equal(0, ln.ExitCode);
    }

    private static string SysBlock(string device, string file) =>
        File.ReadAllText(Path.Combine("/sys/block", Path.GetFileName(device), file)).Trim();
}
