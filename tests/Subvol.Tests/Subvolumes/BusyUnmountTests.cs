using Subvol.Tests.Pools;

namespace Subvol.Tests.Subvolumes;

/// <summary>An unmount waits out a mount held for a moment, and reports one that a program keeps open, leaving it mounted.</summary>
public sealed class BusyUnmountTests(FileBackedPool fixture) : IClassFixture<FileBackedPool>
{
    private const long Size = 16L << 20;

    private Pool Pool => fixture.Pool;

    [RootFact]
    public void A_mount_held_for_a_moment_is_unmounted_once_it_is_let_go()
    {
        var mounted = Mounted("moment");
        var held = File.OpenHandle(Path.Combine(mounted, "held"), FileMode.Create, FileAccess.Write);
        var release = Task.Run(() =>
        {
            Thread.Sleep(150);
            held.Dispose();
        });

        Pool.Unmount("moment");

        release.GetAwaiter().GetResult();
        Assert.Null(Linux.Mounts.FindByTarget(mounted));
    }

    [RootFact]
    public void A_mount_a_program_keeps_open_is_reported_busy_and_stays_mounted()
    {
        var mounted = Mounted("kept");
        using (File.OpenHandle(Path.Combine(mounted, "held"), FileMode.Create, FileAccess.Write))
        {
            var refused = Assert.Throws<SubvolException>(() => Pool.Unmount("kept"));

            Assert.Equal(SubvolErrorCode.Busy, refused.Code);
            Assert.Contains("fuser -vm", refused.Message);
            Assert.NotNull(Linux.Mounts.FindByTarget(mounted));
        }

        Pool.Unmount("kept");
        Assert.Null(Linux.Mounts.FindByTarget(mounted));
    }

    private string Mounted(string name)
    {
        Pool.CreateSubvolume(name, Size, FileSystemKind.Ext4, Provisioning.Thin);
        return Pool.Mount(name, null).Value;
    }
}
