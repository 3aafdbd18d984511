using System.Runtime.Versioning;

namespace Subvol.Tests.Replication;

/// <summary>
/// What an ssh destination asks of the remote subvol, seen through a stand-in for ssh that logs each remote
/// command and answers a listing: how it reads the remote's snapshots, and that a batch of destroys is one command.
/// </summary>
[SupportedOSPlatform("linux")]
public sealed class SshDestinationTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("subvol-ssh-");

    public void Dispose() => _directory.Delete(recursive: true);

    private string Log => Path.Combine(_directory.FullName, "commands");

    [Fact]
    public void ADestroyOfSeveralSnapshotsIsOneRemoteDestroyNamingThemAll()
    {
        using var destination = new SshDestination(DestinationAddress.Parse("ssh://backup@nas/srv/pool"), FakeSsh("", exitCode: 0), "subvol");

        destination.Destroy("home", ["sync-2026-12-04T170000Z", "sync-2026-12-04T180000Z", "sync-2026-12-04T190000Z"]);

        var command = Assert.Single(File.ReadAllLines(Log));
        Assert.Equal("'subvol' '--pool' '/srv/pool' 'destroy' 'home@sync-2026-12-04T170000Z' 'home@sync-2026-12-04T180000Z' 'home@sync-2026-12-04T190000Z'", command);
    }

    [Fact]
    public void PruningSeveralSubvolumesIsStillOneRemoteDestroy()
    {
        using var destination = new SshDestination(DestinationAddress.Parse("ssh://backup@nas/srv/pool"), FakeSsh("", exitCode: 0), "subvol");

        destination.Destroy([new SnapshotReference("home", "auto-2026-12-04T1700Z-hourly"), new SnapshotReference("db", "auto-2026-12-04T1700Z-hourly")]);

        var command = Assert.Single(File.ReadAllLines(Log));
        Assert.Equal("'subvol' '--pool' '/srv/pool' 'destroy' 'home@auto-2026-12-04T1700Z-hourly' 'db@auto-2026-12-04T1700Z-hourly'", command);
    }

    [Fact]
    public void ARemoteDestroyThatFailsIsAnErrorNamingTheDestination()
    {
        using var destination = new SshDestination(DestinationAddress.Parse("ssh://nas/srv/pool"), FakeSsh("", exitCode: 5), "subvol");

        var refused = Assert.Throws<SubvolException>(() => destination.Destroy("home", ["a"]));

        Assert.Equal(SubvolErrorCode.Busy, refused.Code);
        Assert.Contains("ssh://nas/srv/pool", refused.Message);
    }

    [Fact]
    public void TheRemoteListingGivesEachSnapshotsNameGuidCreationTimeAndTheTargetsItIsABaseFor()
    {
        const string listing = """
            [{"name":"home@a","snapshot":"a","guid":"4f1d7c2e-8a35-4b9e-9c61-0d2a7e5b3f18","created":"2026-12-04T17:00:00.000Z","mountpoint":null,"base_for":[]},
             {"name":"home@b","snapshot":"b","guid":"0b7e9a51-3c2d-4e6f-8a1b-2c3d4e5f6a7b","created":"2026-12-04T18:00:00.000Z","mountpoint":"/mnt/b","base_for":["ssh://far/pool"]}]
            """;
        using var destination = new SshDestination(DestinationAddress.Parse("ssh://nas/srv/pool"), FakeSsh(listing, exitCode: 0), "subvol");

        var snapshots = destination.Snapshots("home")!;

        Assert.Equal(["a", "b"], snapshots.Select(snapshot => snapshot.Name));
        Assert.Equal(Guid.Parse("0b7e9a51-3c2d-4e6f-8a1b-2c3d4e5f6a7b"), snapshots[1].Guid);
        Assert.Equal(new DateTimeOffset(2026, 12, 4, 18, 0, 0, TimeSpan.Zero), snapshots[1].Created);
        Assert.Empty(snapshots[0].BaseFor);
        Assert.Equal(["ssh://far/pool"], snapshots[1].BaseFor);
        Assert.Equal("/mnt/b", snapshots[1].MountPoint);
        Assert.Equal("'subvol' '--pool' '/srv/pool' 'list' '-t' 'snapshot' 'home' '--json'", Assert.Single(File.ReadAllLines(Log)));
    }

    [Fact]
    public void ARemoteWithoutTheSubvolumeHasNoSnapshotsRatherThanNone()
    {
        using var destination = new SshDestination(DestinationAddress.Parse("ssh://nas/srv/pool"), FakeSsh("", exitCode: 3), "subvol");

        Assert.Null(destination.Snapshots("home"));
    }

    /// <summary>Stands in for ssh: logs the remote command (its last argument), prints the answer and exits with the code.</summary>
    private string FakeSsh(string answer, int exitCode)
    {
        var answerFile = Path.Combine(_directory.FullName, "answer");
        File.WriteAllText(answerFile, answer);
        var script = Path.Combine(_directory.FullName, "ssh");
        File.WriteAllText(script, $"#!/bin/sh\nfor last; do :; done\nprintf '%s\\n' \"$last\" >> '{Log}'\ncat '{answerFile}'\n[ {exitCode} -eq 0 ] || echo 'remote failed' >&2\nexit {exitCode}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return script;
    }
}
