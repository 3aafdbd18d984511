using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

public sealed class ProvisioningTests(AllocatedPoolFixture pool) : IClassFixture<AllocatedPoolFixture>
{
    [RootFact]
    public void AGuaranteedSubvolumeIsAllocatedInFullAtCreation()
    {
        pool.Run("create", "prov-full", "--size", "320M").ShouldSucceed();

        var listed = Listed("prov-full");

        Assert.Equal("guaranteed", listed.GetProperty("provisioning").GetString());
        Assert.True(listed.GetProperty("referenced").GetInt64() >= 320L << 20);
    }

    [RootFact]
    public void AThinSubvolumeIsAllocatedOnlyAsItIsWritten()
    {
        pool.Run("create", "prov-thin", "--size", "1G", "--provisioning", "thin").ShouldSucceed();
        Assert.True(Listed("prov-thin").GetProperty("referenced").GetInt64() < 128L << 20);
    }

    [RootFact]
    public void ASnapshotOfAGuaranteedSubvolumeReservesTheWrittenBlocksItNowShares()
    {
        pool.Run("create", "prov-ledger", "--size", "320M").ShouldSucceed();
        Data.WriteRandom(Path.Combine(pool.Mount("prov-ledger"), "data.bin"), 64L << 20);
        pool.Unmount("prov-ledger");
        var before = Status().GetProperty("reserved").GetInt64();

        pool.Run("snapshot", "prov-ledger@one").ShouldSucceed();

        // The 64 MiB written (plus the filesystem's own metadata) may need copying on the next write;
        // the preallocated, never-written rest is not cloned by a reflink and stays the subvolume's own.
        var reserved = Status().GetProperty("reserved").GetInt64() - before;
        Assert.InRange(reserved, 64L << 20, 96L << 20);
        pool.Run("destroy", "prov-ledger@one").ShouldSucceed();
        Assert.Equal(before, Status().GetProperty("reserved").GetInt64());
    }

    [RootFact]
    public void AGuaranteedCloneIsAllocatedAndReservesOnlyWhatItShares()
    {
        pool.Run("create", "prov-origin", "--size", "320M").ShouldSucceed();
        Data.WriteRandom(Path.Combine(pool.Mount("prov-origin"), "data.bin"), 32L << 20);
        pool.Unmount("prov-origin");
        pool.Run("snapshot", "prov-origin@one").ShouldSucceed();

        pool.Run("clone", "prov-origin@one", "prov-clone").ShouldSucceed();

        Assert.True(Listed("prov-clone").GetProperty("referenced").GetInt64() >= 320L << 20);
    }

    [RootFact]
    public void TrimGivesAThinSubvolumesDeletedBlocksBackToThePool()
    {
        pool.Run("create", "prov-trim", "--size", "320M", "--provisioning", "thin").ShouldSucceed();
        var mounted = pool.Mount("prov-trim");
        Data.WriteRandom(Path.Combine(mounted, "big.bin"), 96L << 20);
        var allocated = File.Exists(pool.SubvolumeImage("prov-trim")) ? Listed("prov-trim").GetProperty("referenced").GetInt64() : 0;
        File.Delete(Path.Combine(mounted, "big.bin"));

        var result = pool.Run("trim", "prov-trim").ShouldSucceed();

        Assert.Contains("returned to the pool", result.Stdout);
        Assert.True(Listed("prov-trim").GetProperty("referenced").GetInt64() < allocated - (64L << 20), result.Stdout);
        pool.Unmount("prov-trim");
    }

    [RootFact]
    public void TrimOfAGuaranteedSubvolumeIsRefusedWithTheReason()
    {
        pool.Run("create", "prov-notrim", "--size", "320M").ShouldSucceed();
        pool.Mount("prov-notrim");
        Assert.Contains("guaranteed", pool.Run("trim", "prov-notrim").ShouldFailWith(7).Stderr);
        pool.Unmount("prov-notrim");
    }

    [RootFact]
    public void MountedXfsRetriesEnospcForAMinuteAndNeverHangsOnUnmount()
    {
        pool.Run("create", "prov-knobs", "--size", "320M").ShouldSucceed();
        var mounted = pool.Mount("prov-knobs");
        var device = Path.GetFileName(Kernel.MountAt(mounted)!.Source);
        var errors = Path.Combine("/sys/fs/xfs", device, "error");

        Assert.Equal("60", File.ReadAllText(Path.Combine(errors, "metadata", "ENOSPC", "retry_timeout_seconds")).Trim());
        Assert.Equal("-1", File.ReadAllText(Path.Combine(errors, "metadata", "ENOSPC", "max_retries")).Trim());
        Assert.Equal("1", File.ReadAllText(Path.Combine(errors, "fail_at_unmount")).Trim());
        pool.Unmount("prov-knobs");
    }

    private JsonElement Listed(string name) => pool.Json("list", name).EnumerateArray().Single();

    private JsonElement Status() => pool.Json("pool", "status");
}
