using System.Text.Json;

namespace Subvol.Tests.Replication;

/// <summary>The one thing replicate reads of a remote listing: each snapshot's guid, whatever else the listing holds.</summary>
public sealed class RemoteSnapshotTests
{
    [Fact]
    public void EachSnapshotsGuidIsReadAndOtherFieldsAreIgnored()
    {
        const string listing = """
            [{"subvolume":"data","name":"s0","guid":"4f1d7c2e-8a35-4b9e-9c61-0d2a7e5b3f18","size":1048576,"mount_point":null},
             {"subvolume":"data","name":"s1","guid":"0b7e9a51-3c2d-4e6f-8a1b-2c3d4e5f6a7b","created":"2026-12-01T00:00:00+00:00"}]
            """;

        var snapshots = JsonSerializer.Deserialize(listing, RemoteSnapshotJson.Default.ListRemoteSnapshot);

        Assert.Equal([Guid.Parse("4f1d7c2e-8a35-4b9e-9c61-0d2a7e5b3f18"), Guid.Parse("0b7e9a51-3c2d-4e6f-8a1b-2c3d4e5f6a7b")], snapshots!.Select(snapshot => snapshot.Guid));
    }

    [Fact]
    public void ASnapshotWithoutAGuidIsRefusedRatherThanReadAsAnEmptyOne()
    {
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""[{"name":"s0"}]""", RemoteSnapshotJson.Default.ListRemoteSnapshot));
    }
}
