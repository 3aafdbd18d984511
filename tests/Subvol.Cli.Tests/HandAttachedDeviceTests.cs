using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>
/// A loop device that someone attached by hand (losetup) to a subvolume's image is found from the kernel, whatever path
/// it was attached through, and refuses what would change the image underneath its user.
/// </summary>
public sealed class HandAttachedDeviceTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    [RootFact]
    public void A_subvolume_attached_by_hand_with_losetup_is_neither_deleted_nor_rolled_back_nor_moved_by_a_receive()
    {
        pool.Create("by-hand", "320M");
        pool.Run("snapshot", "by-hand@before").ShouldSucceed();
        // An incremental stream from a snapshot that is then destroyed: one this pool can receive into by-hand.
        pool.Run("snapshot", "by-hand@sent").ShouldSucceed();
        var stream = Path.Combine(pool.NewDirectory("by-hand-stream"), "sent.stream");
        pool.Run("send", "by-hand@sent", "--from", "before", "-o", stream).ShouldSucceed();
        pool.Run("destroy", "by-hand@sent").ShouldSucceed();
        WhileAttachedByHand(pool.SubvolumeImage("by-hand"), device =>
        {
            var delete = pool.Run("delete", "by-hand").ShouldFailWith(5);
            Assert.Contains($"is attached to {device}", delete.Stderr);
            var rollback = pool.Run("rollback", "by-hand@before").ShouldFailWith(5);
            Assert.Contains($"is attached to {device}", rollback.Stderr);
            var receive = pool.Run("receive", "by-hand", "-f", stream).ShouldFailWith(5);
            Assert.Contains($"is attached to {device}", receive.Stderr);
            Assert.DoesNotContain("sent", pool.Run("list", "-t", "snapshot", "by-hand").ShouldSucceed().Stdout);
        });

        pool.Run("delete", "by-hand", "--recursive").ShouldSucceed();
    }

    [RootFact]
    public void A_device_attached_by_hand_through_another_link_to_the_image_is_still_refused()
    {
        pool.Create("linked", "320M");
        var image = pool.SubvolumeImage("linked");

        // The kernel names the backing file by the path it was opened through, which is not the pool's path to the image.
        var link = Path.Combine(pool.PoolPath, "another-name-for-linked.img");
        Tools.Run("ln", image, link).ShouldSucceed();
        try
        {
            WhileAttachedByHand(link, device =>
            {
                Assert.Contains("another-name-for-linked.img", File.ReadAllText($"/sys/block/{Path.GetFileName(device)}/loop/backing_file"));

                var delete = pool.Run("delete", "linked").ShouldFailWith(5);
                Assert.Contains($"is attached to {device}", delete.Stderr);
                Assert.True(File.Exists(image), "the image must still be there");
            });
        }
        finally
        {
            File.Delete(link);
        }

        pool.Run("delete", "linked").ShouldSucceed();
    }

    [RootFact]
    public void A_subvolume_mounted_by_hand_through_a_device_of_its_own_is_frozen_for_a_snapshot()
    {
        pool.Create("mounted-by-hand", "320M");
        var mountPoint = pool.NewDirectory("mounted-by-hand-elsewhere");
        WhileAttachedByHand(pool.SubvolumeImage("mounted-by-hand"), device =>
        {
            Tools.Run("mount", device, mountPoint).ShouldSucceed();
            try
            {
                var child = pool.StartPaused("snapshot-frozen", "snapshot", "mounted-by-hand@paused");
                Assert.True(Tools.IsFrozen(mountPoint), "the mount found in the mount table should be frozen at snapshot-frozen");
                child.Kill();
                Assert.True(Waiting.Eventually(() => !Tools.IsFrozen(mountPoint), TimeSpan.FromSeconds(10)), "the watchdog should thaw it within 10 s of the kill");
                pool.CheckRepairsToConsistent();

                pool.Run("snapshot", "mounted-by-hand@s").ShouldSucceed();
                Assert.True(WrittenSinceSnapshot("mounted-by-hand"), "a mounted subvolume counts as written from its snapshot on");
            }
            finally
            {
                Tools.Run("umount", mountPoint);
            }
        });

        pool.Run("delete", "mounted-by-hand", "--recursive").ShouldSucceed();
    }

    [RootFact]
    public void A_subvolume_attached_by_hand_but_mounted_nowhere_still_counts_as_written_after_a_snapshot()
    {
        pool.Create("attached-idle", "320M");
        pool.Run("snapshot", "attached-idle@alone").ShouldSucceed();
        Assert.False(WrittenSinceSnapshot("attached-idle"), "an image nobody holds stays as its snapshot found it");
        WhileAttachedByHand(pool.SubvolumeImage("attached-idle"), device =>
        {
            pool.Run("snapshot", "attached-idle@attached").ShouldSucceed();
            Assert.True(WrittenSinceSnapshot("attached-idle"), $"whoever holds {device} may write, so the image counts as written");
        });

        pool.Run("delete", "attached-idle", "--recursive").ShouldSucceed();
    }

    private bool WrittenSinceSnapshot(string subvolume) =>
        pool.Json("list", "-t", "subvolume", subvolume).EnumerateArray().Single().GetProperty("written_since_snapshot").GetBoolean();

    /// <summary>Attaches the image by hand, runs <paramref name="test"/> with the device, and always detaches it, waiting until the kernel let it go.</summary>
    private static void WhileAttachedByHand(string image, Action<string> test)
    {
        var device = AttachByHand(image);
        try
        {
            test(device);
        }
        finally
        {
            Tools.Run("losetup", "-d", device);
        }

        Assert.True(Waiting.Eventually(() => !Attached(device), TimeSpan.FromSeconds(10)), $"{device} should be detached");
    }

    private static string AttachByHand(string image) => Tools.Run("losetup", "--find", "--show", image).ShouldSucceed().Stdout.Trim();

    private static bool Attached(string device) => File.Exists($"/sys/block/{Path.GetFileName(device)}/loop/backing_file");
}
