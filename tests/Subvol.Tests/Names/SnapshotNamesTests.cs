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
}
