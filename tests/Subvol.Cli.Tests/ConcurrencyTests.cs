using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests;

/// <summary>Many subvol processes at once: each succeeds or fails cleanly, and the metadata stays whole.</summary>
public sealed class ConcurrencyTests(PoolFixture pool) : IClassFixture<PoolFixture>
{
    private static readonly TimeSpan Patience = TimeSpan.FromMinutes(4);

    /// <summary>Exit codes that mean "refused, with a reason": never 1 (unexpected) and never a crash.</summary>
    private static readonly int[] CleanRefusals = [4, 5, 6];

    [RootFact]
    public void Parallel_snapshot_and_create_processes_leave_consistent_metadata_that_matches_their_successes()
    {
        pool.Create("conc", "320M");
        var mountPoint = pool.Mount("conc");
        Data.WriteRandom(Path.Combine(mountPoint, "a.bin"), 1 << 20);

        var snapshots = new List<(string Name, ChildProcess Process)>();
        var creates = new List<(string Name, ChildProcess Process)>();
        for (var i = 0; i < 10; i++)
        {
            snapshots.Add(($"s{i}", pool.Track(pool.Cli.Start(null, "snapshot", $"conc@s{i}"))));
            creates.Add(($"conc-new-{i}", pool.Track(pool.Cli.Start(null, "create", $"conc-new-{i}", "--size", "320M"))));
        }

        var snapshotSuccesses = Succeeded(snapshots);
        var createSuccesses = Succeeded(creates);
        Assert.NotEmpty(snapshotSuccesses);
        Assert.NotEmpty(createSuccesses);
        Assert.Equal(snapshotSuccesses, pool.SnapshotNames("conc"));
        Assert.Equal(createSuccesses.Append("conc").Order(StringComparer.Ordinal), pool.SubvolumeNames());
        Assert.False(Tools.IsFrozen(mountPoint), "no snapshot may leave the subvolume frozen");
        pool.Run("check").ShouldSucceed();
        pool.AssertFilesMatchListing();

        // The same name from many processes at once: one creates it, the others find it made.
        var sameSubvolume = Enumerable.Range(0, 6).Select(_ => pool.Track(pool.Cli.Start(null, "create", "dup", "--size", "320M"))).ToList();
        var sameSnapshot = Enumerable.Range(0, 6).Select(_ => pool.Track(pool.Cli.Start(null, "snapshot", "conc@same"))).ToList();
        var subvolumeResults = sameSubvolume.Select(process => process.Finish(Patience)).ToList();
        var snapshotResults = sameSnapshot.Select(process => process.Finish(Patience)).ToList();
        foreach (var result in subvolumeResults)
        {
            result.ShouldSucceed();
        }

        Assert.Single(subvolumeResults, result => result.Stdout.StartsWith("created subvolume dup", StringComparison.Ordinal));
        Assert.Single(snapshotResults, result => result.ExitCode == 0);
        foreach (var result in snapshotResults.Where(result => result.ExitCode != 0))
        {
            result.ShouldFailWith(4);
        }

        pool.Run("check").ShouldSucceed();

        // And undo it all at once.
        var removals = snapshotSuccesses.Append("same").Select(name => pool.Track(pool.Cli.Start(null, "destroy", $"conc@{name}")))
            .Concat(createSuccesses.Select(name => pool.Track(pool.Cli.Start(null, "delete", name))))
            .ToList();
        foreach (var removal in removals)
        {
            removal.Finish(Patience).ShouldSucceed();
        }

        Assert.Equal(["conc", "dup"], pool.SubvolumeNames());
        Assert.Empty(pool.SnapshotNames("conc"));
        pool.Run("check").ShouldSucceed();
        pool.AssertFilesMatchListing();
        pool.Unmount("conc");
    }

    private static List<string> Succeeded(List<(string Name, ChildProcess Process)> runs)
    {
        var successes = new List<string>();
        foreach (var (name, process) in runs)
        {
            var result = process.Finish(Patience);
            if (result.ExitCode == 0)
            {
                successes.Add(name);
                Assert.True(result.Stderr.Length == 0, $"a success should print nothing on stderr: {result}");
                continue;
            }

            Assert.True(CleanRefusals.Contains(result.ExitCode), $"a concurrent run should succeed or be refused cleanly: {result}");
            result.ShouldFailWith(result.ExitCode);
        }

        return successes.Order(StringComparer.Ordinal).ToList();
    }
}
