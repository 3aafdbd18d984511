using Subvol.Cli.Tests.Infrastructure;
using static Subvol.Cli.Tests.Replication.Replica;

namespace Subvol.Cli.Tests.Replication;

/// <summary>
/// The first SIGINT or SIGTERM stops a send or a receive between two records, exit 130: a send to a file leaves the
/// file that was there, and a receive keeps what it verified, from where the rest of the stream resumes.
/// </summary>
public sealed class InterruptedTransferTests(ReplicationPools pools) : IClassFixture<ReplicationPools>
{
    private const string Earlier = "an earlier stream, the only copy";

    private ReplicationPool Source => pools.Source;

    private ReplicationPool Destination => pools.Destination;

    [RootTheory]
    [InlineData("TERM")]
    [InlineData("INT")]
    public void A_signal_stops_a_send_between_records_and_leaves_the_file_it_was_writing_as_it_was(string signal)
    {
        var name = $"stop-send-{signal.ToLowerInvariant()}";
        MakeSnapshot(name);
        var directory = pools.NewDirectory(name);
        var output = Path.Combine(directory, "backup.stream");
        File.WriteAllText(output, Earlier);

        var result = Interrupt(pools.StartPaused("send-sending", Source.WithPool("send", $"{name}@s1", "-o", output)), signal);

        Assert.True(result.ExitCode == 130, $"interrupted means exit 130: {result}");
        Assert.Contains($"sending {name}@s1 was interrupted after ", result.Stderr);
        Assert.Contains("the stream stops before its end", result.Stderr);
        Assert.Equal(Earlier, File.ReadAllText(output));
        Assert.Equal(["backup.stream"], Directory.EnumerateFileSystemEntries(directory).Select(Path.GetFileName));
    }

    [RootFact]
    public void A_signal_stops_a_receive_after_the_record_it_applies_and_the_rest_resumes_to_an_identical_snapshot()
    {
        const string name = "stop-receive";
        MakeSnapshot(name);
        var streams = pools.NewDirectory(name);
        var full = Send(Source, streams, $"{name}@s1");

        var result = Interrupt(pools.StartPaused("receive-applying", Destination.WithPool("receive", name, "-f", full)), "TERM");

        Assert.True(result.ExitCode == 130, $"interrupted means exit 130: {result}");
        Assert.Contains($"receiving into '{name}' was interrupted; the partial receive is kept", result.Stderr);
        Assert.DoesNotContain(name, Destination.SubvolumeNames());
        Receive(Destination, name, SendRest(Source, Destination, streams, name)).ShouldSucceed();
        AssertSameSnapshot(Source, Destination, name, "s1");
        Assert.Empty(Destination.CheckConsistent());
    }

    [RootFact]
    public void A_signal_stops_a_replicate_between_records_keeps_its_snapshot_and_the_next_replicate_resumes_to_an_identical_one()
    {
        const string name = "stop-replicate";
        MakeSnapshot(name);

        var result = Interrupt(pools.StartPaused("send-sending", Source.WithPool("replicate", name, Destination.Path)), "INT");

        Assert.True(result.ExitCode == 130, $"interrupted means exit 130: {result}");
        Assert.Contains("was interrupted", result.Stderr);
        Assert.Contains($"replicate {name} {Destination.Path}", result.Stderr);
        Assert.Contains("again to resume from there", result.Stderr);
        var taken = Assert.Single(Source.AllSnapshots(), snapshot => snapshot.StartsWith($"{name}@sync-", StringComparison.Ordinal)).Split('@')[1];
        Destination.Run("receive", "--resume-token", name).ShouldSucceed();

        var again = Source.Run("replicate", name, Destination.Path, "--no-snapshot").ShouldSucceed();

        Assert.Contains($"resumed {name}@{taken}", again.Stdout);
        AssertSameSnapshot(Source, Destination, name, taken);
        Assert.Empty(Destination.CheckConsistent());
    }

    private static CliResult Interrupt(ChildProcess child, string signal)
    {
        try
        {
            child.Signal(signal);
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), $"the first SIG{signal} should stop the transfer at the next record");
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }

        return child.Result(child.ExitCode);
    }

    private void MakeSnapshot(string name)
    {
        Source.Create(name, "320M");
        WriteRandomFile(Path.Combine(Source.Mount(name), "data.bin"), new Random(name.Length), 8 << 20);
        Source.Snapshot($"{name}@s1");
        Source.Unmount(name);
    }
}
