namespace Subvol.Tests.Names;

public sealed class SnapshotNamesTests
{
    private static readonly DateTimeOffset Noon = new(2026, 11, 28, 12, 0, 5, TimeSpan.Zero);

    [Fact]
    public void DefaultNameIsTheUtcTimestamp()
    {
        var name = SnapshotNames.Timestamp(Noon, _ => false);
        Assert.Equal("2026-11-28T120005Z", name);
        Assert.Null(NameRules.Problem(name));
    }

    [Fact]
    public void SnapshotsInTheSameSecondGetACounter()
    {
        var taken = new HashSet<string> { "2026-11-28T120005Z", "2026-11-28T120005Z.2" };
        Assert.Equal("2026-11-28T120005Z.3", SnapshotNames.Timestamp(Noon, taken.Contains));
    }

    [Fact]
    public void ReplicatesOwnSnapshotsAreNamedSyncAndTheUtcTimestamp()
    {
        var name = SnapshotNames.Timestamp(Noon, _ => false, SnapshotNames.SyncPrefix);

        Assert.Equal("sync-2026-11-28T120005Z", name);
        Assert.Null(NameRules.Problem(name));
        Assert.True(SnapshotNames.IsSync(name));
        Assert.True(SnapshotNames.IsSync("sync-2026-11-28T120005Z.2"));
    }

    [Theory]
    [InlineData("2026-11-28T120005Z")]
    [InlineData("sync-before-upgrade")]
    [InlineData("mysync-2026-11-28T120005Z")]
    [InlineData("sync-2026-11-28T120005Z-kept")]
    [InlineData("sync-2026-11-28T1200Z")]
    public void ASnapshotThatMerelyLooksLikeOneIsNoSyncSnapshot(string name)
    {
        Assert.False(SnapshotNames.IsSync(name));
    }
}
