using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ReplicateVerb;

/// <summary>
/// replicate to ssh://root@127.0.0.1:PORT/POOL through the system's ssh and a real sshd, which runs
/// subvol on the "remote" side exactly as it would on a backup host.
/// </summary>
public sealed class ReplicateOverSshTests(SshPoolsFixture pools) : IClassFixture<SshPoolsFixture>
{
    private PoolFixture Source => pools.Source;

    private PoolFixture Destination => pools.Destination;

    [RootFact]
    public void FirstRunSendsInFullAndTheNextIncrementallyWithIdenticalSnapshots()
    {
        const string name = "ssh-basic";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "first.bin"), 8 << 20);

        var first = Replicate(pools.Server.ProgramPath, name).ShouldSucceed();
        Assert.Contains("in full", first.Stdout);
        AssertNewestSnapshotIdentical(name);

        Data.WriteRandom(Path.Combine(mounted, "second.bin"), 2 << 20);
        var second = Replicate(pools.Server.ProgramPath, name).ShouldSucceed();
        Assert.Contains("incrementally", second.Stdout);
        AssertNewestSnapshotIdentical(name);
        Assert.Equal(Source.SnapshotNames(name), Destination.SnapshotNames(name));

        var third = Replicate(pools.Server.ProgramPath, name, "--no-snapshot").ShouldSucceed();
        Assert.Contains("up to date", third.Stdout);
        Source.Unmount(name);
    }

    [RootFact]
    public void TransferWhoseConnectionDroppedIsResumedByTheNextRun()
    {
        const string name = "ssh-resume";
        Source.Create(name, "320M");
        Data.WriteRandom(Path.Combine(Source.Mount(name), "data.bin"), 24 << 20);
        var dropping = pools.Server.ProgramDroppingAfter(Source.NewDirectory("ssh-dropping"), 10 << 20);

        var cut = Replicate(dropping, name);

        Assert.NotEqual(0, cut.ExitCode);
        Assert.Contains("127.0.0.1", cut.Stderr);
        Assert.Contains($"run 'subvol replicate {name} {pools.Server.Address(Destination.PoolPath)}' again to resume", cut.Stderr);
        Assert.DoesNotContain(Destination.AllSnapshotFullNames(), fullName => fullName.StartsWith(name + "@", StringComparison.Ordinal));
        Assert.Contains("resum", Destination.Run("list").Stderr);

        var resumed = Replicate(pools.Server.ProgramPath, name, "--no-snapshot").ShouldSucceed();

        Assert.Contains("resumed", resumed.Stdout);
        AssertNewestSnapshotIdentical(name);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Destination.PoolPath, "incoming")));
        Source.Unmount(name);
    }

    [RootFact]
    public void WritesOnTheRemoteSubvolumeAreKeptUnlessForceIsGiven()
    {
        const string name = "ssh-diverged";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "first.bin"), 4 << 20);
        Replicate(pools.Server.ProgramPath, name).ShouldSucceed();
        File.WriteAllText(Path.Combine(Destination.Mount(name), "local.txt"), "written on the remote side");
        Destination.Unmount(name);
        Data.WriteRandom(Path.Combine(mounted, "second.bin"), 1 << 20);

        var refused = Replicate(pools.Server.ProgramPath, name);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.Contains("written", refused.Stderr);
        Assert.Single(Destination.SnapshotNames(name));

        Replicate(pools.Server.ProgramPath, name, "--force", "--no-snapshot").ShouldSucceed();
        AssertNewestSnapshotIdentical(name);
        Assert.False(File.Exists(Path.Combine(Destination.Mount(name), "local.txt")), "--force should reach the remote receive and discard its writes");
        Destination.Unmount(name);
        Source.Unmount(name);
    }

    [RootFact]
    public void RemoteTransferWhoseBaseTheSourceDestroyedIsDiscardedThereAndTheNewestIsSentFromTheNewestCommonSnapshot()
    {
        const string name = "ssh-stale";
        Source.Create(name, "320M");
        var mounted = Source.Mount(name);
        Data.WriteRandom(Path.Combine(mounted, "first.bin"), 4 << 20);
        Source.Run("snapshot", $"{name}@s0").ShouldSucceed();
        Replicate(pools.Server.ProgramPath, name, "--no-snapshot").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mounted, "second.bin"), 4 << 20);
        Source.Run("snapshot", $"{name}@s1").ShouldSucceed();
        Replicate(pools.Server.ProgramPath, name, "--no-snapshot").ShouldSucceed();
        Data.WriteRandom(Path.Combine(mounted, "third.bin"), 8 << 20);
        Source.Run("snapshot", $"{name}@s2").ShouldSucceed();
        var stream = Path.Combine(Source.NewDirectory("ssh-stale"), "s2.stream");
        Source.Run("send", $"{name}@s2", "--from", $"{name}@s1", "-o", stream).ShouldSucceed();
        using (var file = new FileStream(stream, FileMode.Open))
        {
            file.SetLength(file.Length * 6 / 10);
        }

        Destination.Run("receive", name, "-f", stream).ShouldFailWith(8);
        Source.Run("destroy", $"{name}@s1").ShouldSucceed();

        var result = Replicate(pools.Server.ProgramPath, name, "--no-snapshot").ShouldSucceed();

        Assert.Contains($"discarded the interrupted transfer of {name}@s2", result.Stdout);
        Assert.Contains("incrementally from s0", result.Stdout);
        AssertNewestSnapshotIdentical(name);
        Assert.Empty(Directory.EnumerateFileSystemEntries(Path.Combine(Destination.PoolPath, "incoming")));
        Source.Unmount(name);
    }

    [RootFact]
    public void RemotePoolThatDoesNotExistFailsAndSaysWhere()
    {
        const string name = "ssh-nowhere";
        Source.Create(name, "320M");
        var missing = Path.Combine(Destination.Root, "no-such-pool");

        var result = Source.Cli.RunWith(Environment(pools.Server.ProgramPath), "replicate", name, pools.Server.Address(missing));

        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(pools.Server.Address(missing), result.Stderr);
        Assert.Contains("no-such-pool", result.Stderr);
    }

    [RootFact]
    public void A_signal_stops_a_replicate_between_records_the_destination_keeps_what_it_verified_and_the_next_run_resumes_it()
    {
        const string name = "ssh-signal";
        Source.Create(name, "320M");
        Data.WriteRandom(Path.Combine(Source.Mount(name), "data.bin"), 8 << 20);
        var destination = pools.Server.Address(Destination.PoolPath);

        var child = Source.StartPaused("send-sending", Environment(pools.Server.ProgramPath), "replicate", name, destination);
        CliResult stopped;
        try
        {
            child.Signal("TERM");
            Assert.True(child.WaitForExit(TimeSpan.FromSeconds(30)), "the first SIGTERM should stop the transfer at its next record");
            stopped = child.Result(child.ExitCode);
        }
        finally
        {
            if (!child.HasExited)
            {
                child.Kill();
            }
        }

        Assert.True(stopped.ExitCode == 130, $"interrupted means exit 130: {stopped}");
        Assert.Contains("was interrupted", stopped.Stderr);
        Assert.Contains($"run 'subvol replicate {name} {destination}' again to resume", stopped.Stderr);
        Assert.Contains("resum", Destination.Run("list").Stderr);

        var resumed = Replicate(pools.Server.ProgramPath, name, "--no-snapshot").ShouldSucceed();

        Assert.Contains("resumed", resumed.Stdout);
        AssertNewestSnapshotIdentical(name);
        Source.Unmount(name);
    }

    private CliResult Replicate(string sshProgram, string name, params string[] options) =>
        Source.Cli.RunWith(Environment(sshProgram), ["replicate", name, pools.Server.Address(Destination.PoolPath), .. options]);

    private static Dictionary<string, string?> Environment(string sshProgram) => new() { ["SUBVOL_SSH"] = sshProgram };

    private void AssertNewestSnapshotIdentical(string name)
    {
        var newest = Source.SnapshotNames(name).Max(StringComparer.Ordinal)!;
        Assert.Contains(newest, Destination.SnapshotNames(name));
        Assert.Equal(Data.Sha256(Source.SnapshotImage(name, newest)), Data.Sha256(Destination.SnapshotImage(name, newest)));
    }
}
