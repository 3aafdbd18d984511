using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>A pool small enough to fill from outside its subvolumes.</summary>
public sealed class SmallPoolFixture : PoolFixture
{
    protected override string PoolSize => "1G";

    protected override bool Sparse => false;
}

/// <summary>The host filling up, filled from outside the subvolumes, as users of thin pools meet it.</summary>
public sealed class HostFullTests(SmallPoolFixture pool) : IClassFixture<SmallPoolFixture>
{
    private string Filler => Path.Combine(pool.PoolPath, "filler");

    [RootFact]
    public void ASnapshotThatTheLedgerCannotCoverIsRefusedWithTheNumbersAndNothingChanges()
    {
        pool.Run("create", "full-ledger", "--size", "500M").ShouldSucceed();
        try
        {
            // Written blocks become shared with the snapshot, so the snapshot must reserve them: more than is left.
            Data.WriteRandom(Path.Combine(pool.Mount("full-ledger"), "data.bin"), 400L << 20);
            pool.Unmount("full-ledger");

            var result = pool.Run("snapshot", "full-ledger@one").ShouldFailWith(6);

            Assert.Contains("free beyond its reservations", result.Stderr);
            Assert.Contains("a snapshot of 'full-ledger' needs", result.Stderr);
            Assert.Empty(pool.Json("list", "-t", "snapshot", "full-ledger").EnumerateArray());
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(pool.PoolPath, "incoming")));
            pool.Run("check").ShouldSucceed();
        }
        finally
        {
            pool.Run("umount", "full-ledger");
            pool.Run("delete", "--recursive", "full-ledger");
        }
    }

    [RootFact]
    public void ThinSubvolumesBeyondTheOvercommitRatioAreRefusedUntilItIsRaised()
    {
        try
        {
            pool.Run("create", "full-thin-a", "--size", "600M", "--provisioning", "thin").ShouldSucceed();
            var refused = pool.Run("create", "full-thin-b", "--size", "600M", "--provisioning", "thin").ShouldFailWith(6);
            Assert.Contains("overcommit ratio of 1", refused.Stderr);
            Assert.DoesNotContain(pool.Json("list").EnumerateArray(), subvolume => subvolume.GetProperty("name").GetString() == "full-thin-b");

            pool.Run("pool", "set", "overcommit", "1.5").ShouldSucceed();
            pool.Run("create", "full-thin-b", "--size", "600M", "--provisioning", "thin").ShouldSucceed();
            Assert.Equal(1.5, pool.Json("pool", "status").GetProperty("overcommit").GetDouble());
        }
        finally
        {
            pool.Run("pool", "set", "overcommit", "1");
            pool.Run("delete", "full-thin-a");
            pool.Run("delete", "full-thin-b");
        }
    }

    [RootFact]
    public void AGuaranteedSubvolumeKeepsAcceptingWritesUntilItsOwnFilesystemIsFull()
    {
        pool.Run("create", "full-guaranteed", "--size", "320M").ShouldSucceed();
        var mounted = pool.Mount("full-guaranteed");
        var room = new DriveInfo(mounted).AvailableFreeSpace;
        var device = Path.GetFileName(Kernel.MountAt(mounted)!.Source);
        var kernelLog = KernelLog();
        try
        {
            FillHost();

            // Write until the subvolume's own filesystem says it is full: every fsync before that succeeds.
            var written = new Dictionary<string, string>();
            for (var index = 0; ; index++)
            {
                var path = Path.Combine(mounted, $"chunk{index}");
                try
                {
                    written[path] = Data.WriteRandom(path, 16L << 20);
                }
                catch (IOException exception)
                {
                    Assert.Contains("No space left on device", exception.Message);
                    break;
                }
            }

            Assert.True(written.Count * (16L << 20) >= room - (16L << 20), $"only {written.Count} chunks of 16 MiB fit where {room} bytes were free");
            Assert.DoesNotContain(NewKernelLines(kernelLog), line => line.Contains(device, StringComparison.Ordinal) && line.Contains("error", StringComparison.OrdinalIgnoreCase));
            pool.Unmount("full-guaranteed");
            Tools.Run("xfs_repair", "-n", "-f", pool.SubvolumeImage("full-guaranteed")).ShouldSucceed();
        }
        finally
        {
            File.Delete(Filler);
            pool.Run("umount", "full-guaranteed");
            pool.Run("delete", "full-guaranteed");
        }
    }

    [RootFact]
    public void WithTheHostAtZeroBytesFreeDestroyDeleteAbortAndRepairStillSucceed()
    {
        pool.Run("create", "full-zero", "--size", "64M", "--fs", "ext4", "--provisioning", "thin").ShouldSucceed();
        Data.WriteRandom(Path.Combine(pool.Mount("full-zero"), "data.bin"), 8L << 20);
        pool.Unmount("full-zero");
        pool.Run("snapshot", "full-zero@one").ShouldSucceed();
        // An interrupted receive to abort later: a stream cut in half keeps its partial state. The pool
        // must not hold the snapshot the stream carries, so it is destroyed once sent.
        var stream = Path.Combine(pool.NewDirectory("zero"), "one.stream");
        pool.Run("send", "full-zero@one", "-o", stream).ShouldSucceed();
        pool.Run("destroy", "full-zero@one").ShouldSucceed();
        pool.Run("snapshot", "full-zero@two").ShouldSucceed();
        using (var file = new FileStream(stream, FileMode.Open))
        {
            file.SetLength(file.Length / 2);
        }

        pool.Run("receive", "full-zero-copy", "-f", stream).ShouldFailWith(8);
        File.WriteAllText(Path.Combine(pool.PoolPath, "incoming", "leftover.partial"), "x");
        try
        {
            FillHost();
            Assert.True(new DriveInfo(pool.PoolPath).AvailableFreeSpace < 1L << 20);

            var destroy = pool.Run("destroy", "full-zero@two").ShouldSucceed();
            Assert.Contains("warning: pool", destroy.Stderr);
            pool.Run("delete", "full-zero").ShouldSucceed();
            pool.Run("receive", "--abort", "full-zero-copy").ShouldSucceed();
            pool.Run("check", "--repair").ShouldSucceed();
            Assert.DoesNotContain(pool.Json("list").EnumerateArray(), subvolume => subvolume.GetProperty("name").GetString() == "full-zero");
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(pool.PoolPath, "incoming")));
        }
        finally
        {
            File.Delete(Filler);
            pool.Run("receive", "--abort", "full-zero-copy");
            pool.Run("delete", "--recursive", "full-zero");
        }
    }

    [RootFact]
    public void AFullReceiveBeyondTheOvercommitRatioIsRefusedAndPublishesNothing()
    {
        pool.Run("create", "full-recv", "--size", "600M", "--provisioning", "thin").ShouldSucceed();
        pool.Run("snapshot", "full-recv@one").ShouldSucceed();
        var stream = Path.Combine(pool.NewDirectory("recv"), "one.stream");
        pool.Run("send", "full-recv@one", "-o", stream).ShouldSucceed();
        pool.Run("destroy", "full-recv@one").ShouldSucceed();
        try
        {
            var refused = pool.Run("receive", "full-recv-copy", "-f", stream).ShouldFailWith(6);

            Assert.Contains("overcommit", refused.Stderr);
            Assert.DoesNotContain(pool.Json("list").EnumerateArray(), subvolume => subvolume.GetProperty("name").GetString() == "full-recv-copy");
            Assert.Empty(Directory.EnumerateFiles(Path.Combine(pool.PoolPath, "incoming")));
        }
        finally
        {
            pool.Run("delete", "--recursive", "full-recv");
        }
    }

    [RootFact]
    public void ARunningGuardFreezesAThinSubvolumeItCannotRemountAndThawsItWhenSpaceReturns()
    {
        pool.Run("pool", "set", "overcommit", "2").ShouldSucceed();
        pool.Run("create", "full-frozen", "--size", "320M", "--provisioning", "thin").ShouldSucceed();
        var mounted = pool.Mount("full-frozen");
        // A file open for writing makes a read-only remount fail with EBUSY.
        var held = new FileStream(Path.Combine(mounted, "held-open"), FileMode.Create, FileAccess.Write);
        using var guard = pool.Cli.Start(null, "guard", "--interval", "1");
        try
        {
            FillHost(leave: 32L << 20);
            Assert.True(Waiting.Eventually(() => guard.Stderr.Contains("frozen full-frozen", StringComparison.Ordinal), TimeSpan.FromSeconds(20)), guard.Stderr);
            Assert.True(Tools.IsFrozen(mounted));

            File.Delete(Filler);
            Assert.True(Waiting.Eventually(() => guard.Stderr.Contains("thawed full-frozen", StringComparison.Ordinal), TimeSpan.FromSeconds(20)), guard.Stderr);
            Assert.False(Tools.IsFrozen(mounted));
        }
        finally
        {
            guard.Signal("TERM");
            guard.WaitForExit(TimeSpan.FromSeconds(20));
            File.Delete(Filler);
            Tools.Run("fsfreeze", "-u", mounted);
            held.Dispose();
            pool.Run("umount", "full-frozen");
            pool.Run("delete", "full-frozen");
            pool.Run("pool", "set", "overcommit", "1");
        }
    }

    [RootFact]
    public void WithoutTheGuardAThinSubvolumeOnAFullHostFailsItsWrites()
    {
        // This documents the failure the guard exists for: the host is full, so the loop device cannot
        // allocate, and a thin subvolume's fsync fails although its own filesystem has room.
        pool.Run("pool", "set", "overcommit", "2").ShouldSucceed();
        pool.Run("create", "full-unguarded", "--size", "512M", "--provisioning", "thin").ShouldSucceed();
        var mounted = pool.Mount("full-unguarded");
        try
        {
            FillHost();
            Assert.True(new DriveInfo(pool.PoolPath).AvailableFreeSpace < 1L << 20, $"the host still has {new DriveInfo(pool.PoolPath).AvailableFreeSpace} bytes free");
            var failure = Record.Exception(() =>
            {
                for (var index = 0; index < 24; index++)
                {
                    Data.WriteRandom(Path.Combine(mounted, $"chunk{index}"), 16L << 20);
                }
            });

            Assert.IsAssignableFrom<IOException>(failure);
        }
        finally
        {
            File.Delete(Filler);
            // The filesystem may have shut down; unmounting must still work (fail_at_unmount).
            pool.Run("umount", "full-unguarded");
            pool.Run("delete", "full-unguarded");
            pool.Run("pool", "set", "overcommit", "1");
        }
    }

    [RootFact]
    public void WithTheGuardAThinSubvolumeStaysConsistentAndKeepsEveryFsyncedWrite()
    {
        pool.Run("pool", "set", "overcommit", "2").ShouldSucceed();
        pool.Run("create", "full-guarded", "--size", "512M", "--provisioning", "thin").ShouldSucceed();
        var mounted = pool.Mount("full-guarded");
        var written = new Dictionary<string, string>();
        try
        {
            // Fill the host to just above the guard's critical threshold, then write until the guard stops writes.
            FillHost(leave: 200L << 20);
            var guarded = false;
            for (var index = 0; index < 40 && !guarded; index++)
            {
                var path = Path.Combine(mounted, $"chunk{index}");
                try
                {
                    written[path] = Data.WriteRandom(path, 8L << 20);
                }
                catch (IOException exception)
                {
                    Assert.Contains("Read-only file system", exception.Message);
                    File.Delete(path + ".partial-never-created");
                    break;
                }

                var guard = pool.Run("guard", "--once").ShouldSucceed();
                guarded = guard.Stderr.Contains("remounted read-only", StringComparison.Ordinal);
            }

            Assert.True(guarded, "the guard never acted");
            Assert.True(Kernel.MountAt(mounted)!.ReadOnly);
            Assert.Throws<IOException>(() => File.WriteAllText(Path.Combine(mounted, "late"), "x"));

            File.Delete(Filler);
            Assert.Contains("remounted read-write", pool.Run("guard", "--once").ShouldSucceed().Stderr);
            Assert.False(Kernel.MountAt(mounted)!.ReadOnly);

            pool.Unmount("full-guarded");
            Tools.Run("xfs_repair", "-n", "-f", pool.SubvolumeImage("full-guarded")).ShouldSucceed();
            mounted = pool.Mount("full-guarded");
            foreach (var (path, hash) in written)
            {
                Assert.Equal(hash, Data.Sha256(path));
            }
        }
        finally
        {
            File.Delete(Filler);
            pool.Run("umount", "full-guarded");
            pool.Run("delete", "full-guarded");
            pool.Run("pool", "set", "overcommit", "1");
        }
    }

    /// <summary>Fills the pool's filesystem from outside any subvolume, leaving about <paramref name="leave"/> bytes.</summary>
    private void FillHost(long leave = 0)
    {
        var available = new DriveInfo(pool.PoolPath).AvailableFreeSpace;
        var size = Math.Max(0, available - leave);
        if (leave > 0)
        {
            Tools.Run("fallocate", "-l", size.ToString(System.Globalization.CultureInfo.InvariantCulture), Filler).ShouldSucceed();
            return;
        }

        // fallocate stops short of the last blocks; dd takes what is left.
        Tools.Run("fallocate", "-l", size.ToString(System.Globalization.CultureInfo.InvariantCulture), Filler);
        Tools.Bash($"dd if=/dev/zero of='{Filler}' bs=64k oflag=append conv=notrunc status=none 2>/dev/null; sync -f '{pool.PoolPath}'");
    }

    private static string[] KernelLog() => Tools.Run("dmesg").Stdout.Split('\n');

    private static IEnumerable<string> NewKernelLines(string[] before)
    {
        var seen = before.ToHashSet(StringComparer.Ordinal);
        return KernelLog().Where(line => !seen.Contains(line));
    }
}
