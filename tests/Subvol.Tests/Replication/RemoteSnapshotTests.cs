using System.Text.Json;

namespace Subvol.Tests.Replication;

/// <summary>What replicate reads of a remote listing: each snapshot's guid, name and creation time (and base_for when there), whatever else the listing holds.</summary>
public sealed class RemoteSnapshotTests
{
    [Fact]
    public void EachSnapshotsGuidNameAndTimeAreReadAndOtherFieldsAreIgnored()
    {
        const string listing = """
            [{"subvolume":"data","name":"data@s0","snapshot":"s0","guid":"4f1d7c2e-8a35-4b9e-9c61-0d2a7e5b3f18","size":1048576,"created":"2026-11-30T00:00:00.000Z","mount_point":null},
             {"subvolume":"data","name":"data@s1","snapshot":"s1","guid":"0b7e9a51-3c2d-4e6f-8a1b-2c3d4e5f6a7b","created":"2026-12-01T00:00:00+00:00","base_for":["/backup"]}]
            """;

        var snapshots = JsonSerializer.Deserialize(listing, RemoteSnapshotJson.Default.ListRemoteSnapshot)!;

        Assert.Equal([Guid.Parse("4f1d7c2e-8a35-4b9e-9c61-0d2a7e5b3f18"), Guid.Parse("0b7e9a51-3c2d-4e6f-8a1b-2c3d4e5f6a7b")], snapshots.Select(snapshot => snapshot.Guid));
        Assert.Equal(["s0", "s1"], snapshots.Select(snapshot => snapshot.Name));
        Assert.Equal(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero), snapshots[1].Created);
        Assert.Null(snapshots[0].BaseFor);
        Assert.Equal(["/backup"], snapshots[1].BaseFor!);
    }

    [Fact]
    public void ASnapshotWithoutAGuidIsRefusedRatherThanReadAsAnEmptyOne()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""[{"snapshot":"s0","created":"2026-12-01T00:00:00.000Z"}]""", RemoteSnapshotJson.Default.ListRemoteSnapshot));
    }

    [Fact]
    public void ASnapshotWithoutANameIsRefusedSinceNothingCouldBeDestroyedByIt()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize(
            """[{"guid":"4f1d7c2e-8a35-4b9e-9c61-0d2a7e5b3f18","created":"2026-12-01T00:00:00.000Z"}]""", RemoteSnapshotJson.Default.ListRemoteSnapshot));
    }
}
