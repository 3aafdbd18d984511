using Subvol.Cli.Tests.Infrastructure;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>Two small pools, so that the destination's host filesystem can be filled from outside.</summary>
public sealed class SmallReplicationPools : ReplicationPools
{
    protected override string PoolSize => "1G";
}

/// <summary>A receive that meets a full host in the middle stops cleanly, keeps what it had, and resumes once space returns.</summary>
public sealed class ReplicationHostFullTests(SmallReplicationPools pools) : IClassFixture<SmallReplicationPools>
{
    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    private string Filler => Path.Combine(Destination.Path, "filler");

    [RootFact]
    public void Receive_that_fills_the_host_stops_keeps_its_resumable_state_and_earlier_snapshots_and_resumes_once_space_is_freed()
    {
        var streams = pools.NewDirectory("host-full");
        var random = new Random(11);
        Source.Create("tight", "320M");
        var mountPoint = Source.Mount("tight");
        WriteRandomFile(Path.Combine(mountPoint, "first.bin"), random, 16 * MiB);
        Source.Snapshot("tight@s1");
        Replicate(Source, Destination, streams, "tight", "s1");
        var earlier = Data.Sha256(Destination.SnapshotImage("tight", "s1"));

        WriteRandomFile(Path.Combine(mountPoint, "second.bin"), random, 160 * MiB);
        SyncFileSystem(mountPoint);
        Source.Snapshot("tight@s2");
        Source.Unmount("tight");
        var incremental = Send(Source, streams, "tight@s2", "tight@s1");

        try
        {
            // Leave room for a part of the new data only, beyond what the pool keeps back.
            FillDestination(leave: KeptBackBytes() + (48 * MiB));

            var stopped = Receive(Destination, "tight", incremental);

            Assert.True(stopped.ExitCode == 6, $"a receive that runs out of host space exits 6: {stopped}");
            Assert.Contains("--resume-token tight", stopped.Stderr);
            Assert.DoesNotContain("tight@s2", Destination.AllSnapshots());
            Assert.Equal(earlier, Data.Sha256(Destination.SnapshotImage("tight", "s1")));
            Assert.Contains("partial_receive", Destination.CheckConsistent());
            var token = Destination.Run("receive", "--resume-token", "tight").ShouldSucceed().Stdout.Trim();
            Assert.True(Subvol.Stream.ResumeToken.TryDecode(token, out var decoded, out var error), $"'{token}' is not a token: {error}");
            Assert.True(decoded!.Offset > 0, "what was received before the host filled should be kept");

            File.Delete(Filler);
            Receive(Destination, "tight", SendRest(Source, Destination, streams, "tight")).ShouldSucceed();
        }
        finally
        {
            File.Delete(Filler);
        }

        AssertSameSnapshot(Source, Destination, "tight", "s2");
        Assert.Equal(earlier, Data.Sha256(Destination.SnapshotImage("tight", "s1")));
        Assert.Empty(Destination.CheckConsistent());
    }

    [RootFact]
    public void Receive_that_meets_enospc_from_the_host_exits_6_keeps_what_it_had_and_resumes_once_space_is_freed()
    {
        var streams = pools.NewDirectory("enospc");
        var random = new Random(12);
        Source.Create("brim", "320M");
        WriteRandomFile(Path.Combine(Source.Mount("brim"), "data.bin"), random, 160 * MiB);
        Source.Unmount("brim");
        Source.Snapshot("brim@s1");
        var full = Send(Source, streams, "brim@s1");

        try
        {
            // Less free than the receive writes before it first checks, so the kernel's ENOSPC comes first.
            FillDestination(leave: 8 * MiB);

            var stopped = Receive(Destination, "brim", full);

            Assert.True(stopped.ExitCode == 6, $"a receive that meets ENOSPC exits 6: {stopped}");
            Assert.Contains($"the filesystem of pool {Destination.Path} is full", stopped.Stderr);
            Assert.Contains("--resume-token brim", stopped.Stderr);
            Assert.DoesNotContain("brim", Destination.SubvolumeNames());
            Assert.Contains("partial_receive", Destination.CheckConsistent());

            File.Delete(Filler);
            Receive(Destination, "brim", SendRest(Source, Destination, streams, "brim")).ShouldSucceed();
        }
        finally
        {
            File.Delete(Filler);
        }

        AssertSameSnapshot(Source, Destination, "brim", "s1");
        Assert.Empty(Destination.CheckConsistent());
    }

    /// <summary>What the destination keeps back from a receive, as pool status reports it: reservations and slop.</summary>
    private long KeptBackBytes()
    {
        var status = Destination.Json("pool", "status");
        return status.GetProperty("reserved").GetInt64() + status.GetProperty("slop").GetInt64();
    }

    /// <summary>Takes the destination's host space from outside Subvol, as another program would, down to <paramref name="leave"/> bytes free.</summary>
    private void FillDestination(long leave)
    {
        var free = Destination.FreeBytes();
        Assert.True(free > leave, $"the destination has only {free} bytes free; the test needs more than {leave}");
        Tools.Run("fallocate", "-l", (free - leave).ToString(System.Globalization.CultureInfo.InvariantCulture), Filler).ShouldSucceed();
    }
}
