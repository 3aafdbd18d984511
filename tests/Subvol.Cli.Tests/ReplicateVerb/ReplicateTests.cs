using System.Text.Json;
using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ReplicateVerb;

public sealed class ReplicateTests(ReplicatePools pools) : IClassFixture<ReplicatePools>
{
    private PoolFixture Source => pools.SourceFixture;

    private PoolFixture Destination => pools.DestinationFixture;

    [RootFact]
    public void ReplicateSendsInFullThenIncrementallyAndTheCopiesAreIdentical()
    {
        const string name = "rep-basic";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "first.bin"), 8 << 20);

        var first = Source.Run("replicate", name, Destination.PoolPath).ShouldSucceed();
        Assert.Contains("in full", first.Stdout);
        AssertReplicasIdentical(name);

        Data.WriteRandom(Path.Combine(mounted, "second.bin"), 2 << 20);
        var second = Source.Run("replicate", name, Destination.PoolPath).ShouldSucceed();
        Assert.Contains("incrementally", second.Stdout);
        AssertReplicasIdentical(name);
        // The first run's sync snapshot is no base any more, so it went on both sides.
        Assert.Single(SnapshotGuids(Destination, name));
        Assert.Single(SnapshotGuids(Source, name));

        var third = Source.Run("replicate", name, Destination.PoolPath, "--no-snapshot").ShouldSucceed();
        Assert.Contains("up to date", third.Stdout);
        Source.Unmount(name);
    }

    [RootFact]
    public void ReplicateOverSshRunsReceiveOnTheRemoteSideWithQuotedArguments()
    {
        const string name = "rep-ssh";
        Source.Create(name, "320M");
        Data.WriteRandom(Path.Combine(Source.Mount(name), "data.bin"), 4 << 20);
        // Stands in for ssh: drops its options and the host, then runs the command through sh as sshd does.
        var fakeSsh = Path.Combine(Source.NewDirectory("ssh"), "ssh");
        File.WriteAllText(fakeSsh, "#!/bin/sh\nwhile [ $# -gt 0 ]; do case \"$1\" in -o|-p) shift 2;; *) break;; esac; done\nshift\nexec sh -c \"$1\"\n");
        Tools.Run("chmod", "+x", fakeSsh).ShouldSucceed();
        var environment = new Dictionary<string, string?>
        {
            ["SUBVOL_SSH"] = fakeSsh,
            ["PATH"] = Path.GetDirectoryName(SubvolCli.Executable) + ":" + Environment.GetEnvironmentVariable("PATH"),
        };

        var result = Source.Cli.RunWith(environment, "replicate", name, $"ssh://backup@nas.example:2222{Destination.PoolPath}").ShouldSucceed();

        Assert.Contains("in full", result.Stdout);
        AssertReplicasIdentical(name);
        Source.Unmount(name);
    }

    [RootFact]
    public void ReplicateFinishesAnInterruptedTransferBeforeAnythingElse()
    {
        const string name = "rep-resume";
        Source.Create(name, "320M");
        Data.WriteRandom(Path.Combine(Source.Mount(name), "data.bin"), 24 << 20);
        Source.Run("snapshot", $"{name}@one").ShouldSucceed();
        var stream = Path.Combine(Source.NewDirectory("resume"), "one.stream");
        Source.Run("send", $"{name}@one", "-o", stream).ShouldSucceed();
        using (var file = new FileStream(stream, FileMode.Open))
        {
            file.SetLength(file.Length * 6 / 10);
        }

        Destination.Run("receive", name, "-f", stream).ShouldFailWith(8);
        Assert.Contains("resum", Destination.Run("list").Stderr);

        var result = Source.Run("replicate", name, Destination.PoolPath, "--no-snapshot").ShouldSucceed();

        Assert.Contains("resumed", result.Stdout);
        AssertReplicasIdentical(name);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Destination.PoolPath, "incoming")));
        Source.Unmount(name);
    }

    [RootFact]
    public void AnInterruptedTransferWhoseBaseTheSourceDestroyedIsDiscardedAndTheNewestIsSentFromTheNewestCommonSnapshot()
    {
        const string name = "rep-stale";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "first.bin"), 4 << 20);
        Source.Run("snapshot", $"{name}@s0").ShouldSucceed();
        Source.Run("replicate", name, Destination.PoolPath, "--no-snapshot").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mounted, "second.bin"), 4 << 20);
        Source.Run("snapshot", $"{name}@s1").ShouldSucceed();
        Source.Run("replicate", name, Destination.PoolPath, "--no-snapshot").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mounted, "third.bin"), 8 << 20);
        Source.Run("snapshot", $"{name}@s2").ShouldSucceed();
        var stream = Path.Combine(Source.NewDirectory("stale"), "s2.stream");
        Source.Run("send", $"{name}@s2", "--from", $"{name}@s1", "-o", stream).ShouldSucceed();
        using (var file = new FileStream(stream, FileMode.Open))
        {
            file.SetLength(file.Length * 6 / 10);
        }

        Destination.Run("receive", name, "-f", stream).ShouldFailWith(8);
        Source.Run("destroy", $"{name}@s1").ShouldSucceed();

        var result = Source.Run("replicate", name, Destination.PoolPath, "--no-snapshot").ShouldSucceed();

        Assert.Contains($"discarded the interrupted transfer of {name}@s2", result.Stdout);
        Assert.Contains("incrementally from s0", result.Stdout);
        AssertReplicasIdentical(name);
        Assert.Empty(Directory.EnumerateFiles(Path.Combine(Destination.PoolPath, "incoming")));
        Destination.Run("receive", "--resume-token", name).ShouldFailWith(3);
        Source.Unmount(name);
    }

    [RootFact]
    public void AnInterruptedTransferOfASnapshotTheSourceNoLongerHasIsLeftAloneAndReplicateSaysHowToDiscardIt()
    {
        const string name = "rep-foreign";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "first.bin"), 4 << 20);
        Source.Run("snapshot", $"{name}@s0").ShouldSucceed();
        Source.Run("replicate", name, Destination.PoolPath, "--no-snapshot").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mounted, "second.bin"), 8 << 20);
        Source.Run("snapshot", $"{name}@s1").ShouldSucceed();
        var stream = Path.Combine(Source.NewDirectory("foreign"), "s1.stream");
        Source.Run("send", $"{name}@s1", "--from", $"{name}@s0", "-o", stream).ShouldSucceed();
        using (var file = new FileStream(stream, FileMode.Open))
        {
            file.SetLength(file.Length * 6 / 10);
        }

        Destination.Run("receive", name, "-f", stream).ShouldFailWith(8);
        Source.Run("destroy", $"{name}@s1").ShouldSucceed();

        // The source cannot tell where that transfer came from, so it does not discard it; it says how to.
        var refused = Source.Run("replicate", name, Destination.PoolPath).ShouldFailWith(5);

        Assert.Contains($"subvol receive --abort {name}", refused.Stderr);
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(Destination.PoolPath, "incoming")));
        Destination.Run("receive", "--abort", name).ShouldSucceed();
        Assert.Contains("incrementally from s0", Source.Run("replicate", name, Destination.PoolPath, "--no-snapshot").ShouldSucceed().Stdout);
        AssertReplicasIdentical(name);
        Source.Unmount(name);
    }

    [RootFact]
    public void ADestinationWithoutACommonSnapshotIsRefusedAndKeepsItsData()
    {
        const string name = "rep-unrelated";
        Source.Create(name, "320M");
        Destination.Create(name, "320M");
        Destination.Run("snapshot", $"{name}@theirs").ShouldSucceed();
        var before = Data.Sha256(Destination.SnapshotImage(name, "theirs"));

        var result = Source.Run("replicate", name, Destination.PoolPath).ShouldFailWith(9);

        Assert.Contains("no snapshot in common", result.Stderr);
        Assert.Equal(before, Data.Sha256(Destination.SnapshotImage(name, "theirs")));
        Assert.Single(SnapshotGuids(Destination, name));
    }

    [RootFact]
    public void ReplicatingIntoTheSamePoolIsRefused()
    {
        const string name = "rep-self";
        Source.Create(name, "320M");
        var result = Source.Run("replicate", name, Source.PoolPath, "--no-snapshot").ShouldFailWith(2);
        Assert.Contains("this pool", result.Stderr);
    }

    [RootFact]
    public void ReplicatingIntoTheSamePoolThroughALinkOrABindMountIsRefusedAndTakesNoSnapshot()
    {
        const string name = "rep-self-alias";
        Source.Create(name, "320M");
        var link = Path.Combine(Source.NewDirectory("rep-self-alias"), "pool-link");
        File.CreateSymbolicLink(link, Source.PoolPath);
        var bound = Source.NewDirectory("rep-self-bound");
        Tools.Run("mount", "--bind", Source.PoolPath, bound).ShouldSucceed();
        try
        {
            foreach (var alias in new[] { link, bound })
            {
                var refused = Source.Run("replicate", name, alias).ShouldFailWith(2);

                Assert.Contains($"the destination {alias} is this pool ({Source.PoolPath}) by another name", refused.Stderr);
            }
        }
        finally
        {
            Tools.Run("umount", bound).ShouldSucceed();
        }

        Assert.Empty(Source.SnapshotNames(name));
    }

    [RootFact]
    public void ReplicateRefusesToDiscardWritesMadeOnTheDestinationUnlessForced()
    {
        const string name = "rep-diverged";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "first.bin"), 4 << 20);
        Source.Run("replicate", name, Destination.PoolPath).ShouldSucceed();
        File.WriteAllText(Path.Combine(Destination.Mount(name), "local.txt"), "written on the destination");
        Destination.Unmount(name);
        Data.WriteRandom(Path.Combine(mounted, "second.bin"), 1 << 20);

        var refused = Source.Run("replicate", name, Destination.PoolPath).ShouldFailWith(5);
        Assert.Contains("written", refused.Stderr);
        Assert.Contains("--force", refused.Stderr);
        Assert.Single(SnapshotGuids(Destination, name));

        var forced = Source.Run("replicate", name, Destination.PoolPath, "--force", "--no-snapshot").ShouldSucceed();
        Assert.Contains("incrementally", forced.Stdout);
        AssertReplicasIdentical(name);
        Assert.Equal(Data.Tree(mounted), Data.Tree(Destination.Mount(name)));
        Destination.Unmount(name);
        Source.Unmount(name);
    }

    [RootFact]
    public void Replicate_json_names_the_snapshot_it_made_and_sent()
    {
        const string name = "rep-json";
        Source.Create(name, "320M");
        Data.WriteRandom(Path.Combine(Source.Mount(name), "data.bin"), 4 << 20);

        var result = Source.Run("replicate", name, Destination.PoolPath, "--json").ShouldSucceed();
        using var document = JsonDocument.Parse(result.Stdout);
        var snapshot = document.RootElement.GetProperty("snapshot");

        Assert.Equal(Source.Json("list", "-t", "snapshot", name).EnumerateArray().Single().GetProperty("guid").GetGuid(), snapshot.GetProperty("guid").GetGuid());
        Assert.Contains(snapshot.GetProperty("guid").GetGuid(), SnapshotGuids(Destination, name));
        Assert.Equal(name, snapshot.GetProperty("subvolume").GetString());
        Assert.Equal(Destination.PoolPath, document.RootElement.GetProperty("destination").GetString());
        Assert.True(document.RootElement.GetProperty("data_bytes").GetInt64() >= 4 << 20, result.ToString());
        var steps = document.RootElement.GetProperty("steps").EnumerateArray().ToList();
        // The last pass finds the destination holding what was sent.
        Assert.Equal(["took_snapshot", "sent_full", "up_to_date"], steps.Select(step => step.GetProperty("step").GetString()));
        Assert.All(steps, step => Assert.Equal(snapshot.GetProperty("name").GetString(), step.GetProperty("name").GetString()));
        Assert.True(document.RootElement.GetProperty("changed").GetBoolean());
        Source.Unmount(name);
    }

    [RootFact]
    public void Send_and_receive_json_name_the_snapshot_and_what_was_carried()
    {
        const string name = "carried";
        Source.Create(name, "320M");
        Data.WriteRandom(Path.Combine(Source.Mount(name), "a.bin"), 4 << 20);
        Source.Run("snapshot", $"{name}@s").ShouldSucceed();
        var stream = Path.Combine(Source.NewDirectory("carried-stream"), "s.stream");

        using var sent = JsonDocument.Parse(Source.Run("send", $"{name}@s", "-o", stream, "--json").ShouldSucceed().Stdout);
        using var received = JsonDocument.Parse(Destination.Run("receive", name, "-f", stream, "--json").ShouldSucceed().Stdout);

        var sentSnapshot = sent.RootElement.GetProperty("snapshot");
        var receivedSnapshot = received.RootElement.GetProperty("snapshot");
        Assert.Equal($"{name}@s", sentSnapshot.GetProperty("name").GetString());
        Assert.Equal(new FileInfo(stream).Length, sent.RootElement.GetProperty("stream_bytes").GetInt64());
        Assert.True(sent.RootElement.GetProperty("data_bytes").GetInt64() >= 4 << 20, sent.RootElement.ToString());
        Assert.Equal($"{name}@s", receivedSnapshot.GetProperty("name").GetString());
        Assert.Equal(sentSnapshot.GetProperty("guid").GetGuid(), receivedSnapshot.GetProperty("guid").GetGuid());
        Assert.Contains(receivedSnapshot.GetProperty("guid").GetGuid(), SnapshotGuids(Destination, name));
        Assert.Equal(name, received.RootElement.GetProperty("subvolume").GetProperty("name").GetString());
        Assert.True(received.RootElement.GetProperty("created_subvolume").GetBoolean());
        Assert.Equal(sent.RootElement.GetProperty("data_bytes").GetInt64(), received.RootElement.GetProperty("data_bytes").GetInt64());
        Source.Unmount(name);
    }

    private void AssertReplicasIdentical(string name)
    {
        var held = SnapshotGuids(Destination, name);
        var newest = Source.Json("list", "-t", "snapshot", name).EnumerateArray().Last();
        var snapshot = newest.GetProperty("snapshot").GetString()!;
        Assert.Contains(newest.GetProperty("guid").GetGuid(), held);
        Assert.Equal(Data.Sha256(Source.SnapshotImage(name, snapshot)), Data.Sha256(Destination.SnapshotImage(name, snapshot)));
    }

    private static List<Guid> SnapshotGuids(PoolFixture pool, string name) =>
        pool.Json("list", "-t", "snapshot", name).EnumerateArray().Select(element => element.GetProperty("guid").GetGuid()).ToList();
}
