using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>'subvol set NAME provisioning=…' on subvolumes that hold data, mounted and not.</summary>
public sealed class ProvisioningChangeTests(AllocatedPoolFixture pool) : IClassFixture<AllocatedPoolFixture>
{
    private const long MiB = 1L << 20;

    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void GuaranteedTurnedThinGivesBackWhatItNeverWroteAndKeepsItsData(bool mounted)
    {
        var name = mounted ? "change-thin-mounted" : "change-thin";
        var hash = Prepare(name, "guaranteed", mounted);
        var before = pool.PoolStatus();
        var referencedBefore = Listed(name).GetProperty("referenced").GetInt64();

        var result = pool.Json("set", name, "provisioning=thin");

        Assert.True(result.GetProperty("changed").GetBoolean());
        Assert.Equal("thin", result.GetProperty("subvolume").GetProperty("provisioning").GetString());
        var listed = Listed(name);
        Assert.Equal("thin", listed.GetProperty("provisioning").GetString());
        var after = pool.PoolStatus();

        // The 32 MiB written and shared with the snapshot is no longer held in reserve for this subvolume.
        Assert.True(after.GetProperty("reserved").GetInt64() <= before.GetProperty("reserved").GetInt64() - 32 * MiB, $"reserved {before.GetProperty("reserved")} -> {after.GetProperty("reserved")}");

        // Of 320 MiB preallocated, 32 MiB written: most of the rest comes back, through fstrim when mounted.
        var referenced = listed.GetProperty("referenced").GetInt64();
        Assert.True(referenced < referencedBefore - 128 * MiB, $"referenced {referencedBefore} -> {referenced}");
        Assert.True(after.GetProperty("available").GetInt64() > before.GetProperty("available").GetInt64() + 128 * MiB, $"available {before.GetProperty("available")} -> {after.GetProperty("available")}");
        Assert.Equal(hash, ReadBack(name, mounted));
        CleanUp(name);
    }

    [RootTheory]
    [InlineData(false)]
    [InlineData(true)]
    public void ThinTurnedGuaranteedIsAllocatedInFullAndReservesWhatItShares(bool mounted)
    {
        var name = mounted ? "change-guaranteed-mounted" : "change-guaranteed";
        var hash = Prepare(name, "thin", mounted);
        var before = pool.PoolStatus();

        var result = pool.Run("set", name, "provisioning=guaranteed").ShouldSucceed();

        Assert.Contains($"{name} is now guaranteed", result.Stdout);
        var listed = Listed(name);
        Assert.Equal("guaranteed", listed.GetProperty("provisioning").GetString());
        Assert.True(listed.GetProperty("referenced").GetInt64() >= 320 * MiB, listed.ToString());
        var after = pool.PoolStatus();
        Assert.True(after.GetProperty("reserved").GetInt64() >= before.GetProperty("reserved").GetInt64() + 32 * MiB, $"reserved {before.GetProperty("reserved")} -> {after.GetProperty("reserved")}");
        Assert.True(after.GetProperty("available").GetInt64() < before.GetProperty("available").GetInt64() - 128 * MiB, $"available {before.GetProperty("available")} -> {after.GetProperty("available")}");
        Assert.Equal(hash, ReadBack(name, mounted));

        Assert.Contains("already guaranteed", pool.Run("set", name, "provisioning=guaranteed").ShouldSucceed().Stdout);
        CleanUp(name);
    }

    [RootFact]
    public void ThinTurnedGuaranteedWithoutRoomIsRefusedWithTheNumbersAndChangesNothing()
    {
        pool.Run("pool", "set", "overcommit", "2").ShouldSucceed();
        try
        {
            pool.Run("create", "change-huge", "--size", "6G", "--provisioning", "thin").ShouldSucceed();
            var before = pool.PoolStatus();
            var allocatedBefore = Allocated(pool.SubvolumeImage("change-huge"));

            var refused = pool.Run("set", "change-huge", "provisioning=guaranteed").ShouldFailWith(6);

            Assert.Contains("free beyond its reservations", refused.Stderr);
            Assert.Contains("guaranteed", refused.Stderr);
            Assert.Equal("thin", Listed("change-huge").GetProperty("provisioning").GetString());
            Assert.Equal(allocatedBefore, Allocated(pool.SubvolumeImage("change-huge")));
            Assert.Equal(before.GetProperty("reserved").GetInt64(), pool.PoolStatus().GetProperty("reserved").GetInt64());
            pool.Run("delete", "change-huge").ShouldSucceed();
        }
        finally
        {
            pool.Run("pool", "set", "overcommit", "1");
        }
    }

    [RootFact]
    public void UnknownSettingsAndValuesAreRefusedByNameBeforeAnythingChanges()
    {
        pool.Run("create", "change-bad", "--size", "320M").ShouldSucceed();

        var unknown = pool.Run("set", "change-bad", "provisioning=thin", "colour=blue", "speed=fast").ShouldFailWith(2);
        Assert.Contains("'colour', 'speed'", unknown.Stderr);
        var value = pool.Run("set", "change-bad", "provisioning=fat").ShouldFailWith(2);
        Assert.Contains("provisioning must be guaranteed or thin", value.Stderr);
        var word = pool.Run("set", "change-bad", "thin").ShouldFailWith(2);
        Assert.Contains("KEY=VALUE", word.Stderr);
        Assert.Equal(3, pool.Run("set", "change-missing", "provisioning=thin").ExitCode);

        Assert.Equal("guaranteed", Listed("change-bad").GetProperty("provisioning").GetString());
        pool.Run("delete", "change-bad").ShouldSucceed();
    }

    /// <summary>A 320 MiB subvolume with 32 MiB of random data and a snapshot sharing it, mounted or not; returns the data's sha256.</summary>
    private string Prepare(string name, string provisioning, bool mounted)
    {
        pool.Run("create", name, "--size", "320M", "--provisioning", provisioning).ShouldSucceed();
        var hash = Data.WriteRandom(Path.Combine(pool.Mount(name), "data.bin"), 32 * MiB);
        pool.Unmount(name);
        pool.Run("snapshot", $"{name}@base").ShouldSucceed();
        if (mounted)
        {
            pool.Mount(name);
        }

        return hash;
    }

    /// <summary>The data's sha256, read through the mount it has, or a fresh one; leaves it unmounted.</summary>
    private string ReadBack(string name, bool mounted)
    {
        var mountPoint = mounted ? pool.DefaultMountPoint(name) : pool.Mount(name);
        var hash = Data.Sha256(Path.Combine(mountPoint, "data.bin"));
        pool.Unmount(name);
        return hash;
    }

    private void CleanUp(string name) => pool.Run("delete", name, "--recursive").ShouldSucceed();

    private JsonElement Listed(string name) => pool.Json("list", name).EnumerateArray().Single();

    /// <summary>The bytes the host holds for a file, from stat's 512-byte block count.</summary>
    private static long Allocated(string path) => long.Parse(Tools.Run("stat", "-c", "%b", path).ShouldSucceed().Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) * 512;
}
