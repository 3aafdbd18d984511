using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public sealed class SnapshotTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;

    [RootFact]
    public void SnapshotsAreIdempotentAndANameIsBoundToItsSource()
    {
        var first = fixture.CreateVolume(fixture.Unique("pvc-snapsource"), 16 * MiB);
        var second = fixture.CreateVolume(fixture.Unique("pvc-snapother"), 16 * MiB);
        var name = fixture.Unique("snapshot-idempotent");
        var snapshot = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = name, SourceVolumeId = first.VolumeId }).Snapshot;
        Assert.Equal($"{first.VolumeId}@{name}", snapshot.SnapshotId);
        Assert.Equal(first.VolumeId, snapshot.SourceVolumeId);
        Assert.True(snapshot.ReadyToUse);
        Assert.Equal(16 * MiB, snapshot.SizeBytes);
        Assert.NotNull(snapshot.CreationTime);

        var again = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = name, SourceVolumeId = first.VolumeId }).Snapshot;
        Assert.Equal(snapshot.SnapshotId, again.SnapshotId);
        Assert.Equal(snapshot.CreationTime, again.CreationTime);
        Expect.Status(StatusCode.AlreadyExists, () => fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = name, SourceVolumeId = second.VolumeId }));
        Expect.Status(StatusCode.NotFound, () => fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-orphan"), SourceVolumeId = "pvc-unknown" }));

        var longName = new string('s', 128);
        var longSnapshot = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = longName, SourceVolumeId = second.VolumeId }).Snapshot;
        Assert.Equal(longSnapshot.SnapshotId, fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = longName, SourceVolumeId = second.VolumeId }).Snapshot.SnapshotId);

        foreach (var id in new[] { snapshot.SnapshotId, longSnapshot.SnapshotId })
        {
            fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = id });
            fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = id });
        }

        fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = "no-such@snapshot" });
        fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = "not an id" });
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = first.VolumeId });
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = second.VolumeId });
    }

    [RootFact]
    public void ListingFiltersAndPaginates()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-list"), 16 * MiB);
        var other = fixture.CreateVolume(fixture.Unique("pvc-listother"), 16 * MiB);
        var ids = Enumerable.Range(0, 3)
            .Select(_ => fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-list"), SourceVolumeId = volume.VolumeId }).Snapshot.SnapshotId)
            .ToList();
        var otherId = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-list"), SourceVolumeId = other.VolumeId }).Snapshot.SnapshotId;

        var all = fixture.Controller.ListSnapshots(new ListSnapshotsRequest()).Entries.Select(entry => entry.Snapshot.SnapshotId).ToList();
        Assert.Superset(new HashSet<string>(ids.Append(otherId)), new HashSet<string>(all));

        var bySource = fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = volume.VolumeId }).Entries.Select(entry => entry.Snapshot.SnapshotId).Order(StringComparer.Ordinal);
        Assert.Equal(ids.Order(StringComparer.Ordinal), bySource);

        var byId = Assert.Single(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SnapshotId = otherId }).Entries);
        Assert.Equal(other.VolumeId, byId.Snapshot.SourceVolumeId);
        Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SnapshotId = $"{volume.VolumeId}@missing" }).Entries);
        Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SnapshotId = "garbage" }).Entries);
        Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = "pvc-unknown" }).Entries);

        // One entry a page, following next_token, gives every snapshot of the volume exactly once.
        var paged = new List<string>();
        var token = "";
        do
        {
            var page = fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = volume.VolumeId, MaxEntries = 1, StartingToken = token });
            Assert.True(page.Entries.Count <= 1);
            paged.AddRange(page.Entries.Select(entry => entry.Snapshot.SnapshotId));
            token = page.NextToken;
        }
        while (token.Length > 0);
        Assert.Equal(ids.Order(StringComparer.Ordinal), paged.Order(StringComparer.Ordinal));

        Expect.Status(StatusCode.Aborted, () => fixture.Controller.ListSnapshots(new ListSnapshotsRequest { StartingToken = "not-a-token" }));
        Expect.Status(StatusCode.Aborted, () => fixture.Controller.ListSnapshots(new ListSnapshotsRequest { StartingToken = "999999" }));
        Expect.Status(StatusCode.InvalidArgument, () => fixture.Controller.ListSnapshots(new ListSnapshotsRequest { MaxEntries = -1 }));

        foreach (var id in ids.Append(otherId))
        {
            fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = id });
        }

        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = other.VolumeId });
    }

    [RootFact]
    public void VolumesFromASnapshotAndFromAVolumeHoldTheSourceContents()
    {
        var source = fixture.CreateVolume(fixture.Unique("pvc-origin"), 32 * MiB);
        var (staging, target) = fixture.StageAndPublish(source.VolumeId);
        File.WriteAllText(Path.Combine(target, "file"), "before the snapshot");
        var snapshot = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-content"), SourceVolumeId = source.VolumeId }).Snapshot;
        File.WriteAllText(Path.Combine(target, "file"), "after the snapshot");

        var restoreRequest = DaemonFixture.CreateRequest(fixture.Unique("pvc-restored"), 32 * MiB);
        restoreRequest.VolumeContentSource = new VolumeContentSource { Snapshot = new VolumeContentSource.Types.SnapshotSource { SnapshotId = snapshot.SnapshotId } };
        var restored = fixture.Controller.CreateVolume(restoreRequest).Volume;
        Assert.Equal(snapshot.SnapshotId, restored.ContentSource.Snapshot.SnapshotId);
        Assert.Equal(restored.VolumeId, fixture.Controller.CreateVolume(restoreRequest).Volume.VolumeId);

        var cloneRequest = DaemonFixture.CreateRequest(fixture.Unique("pvc-clone"), 48 * MiB);
        cloneRequest.VolumeContentSource = new VolumeContentSource { Volume = new VolumeContentSource.Types.VolumeSource { VolumeId = source.VolumeId } };
        var clone = fixture.Controller.CreateVolume(cloneRequest).Volume;
        Assert.Equal(48 * MiB, clone.CapacityBytes);
        Assert.Equal(source.VolumeId, clone.ContentSource.Volume.VolumeId);

        var (restoredStaging, restoredTarget) = fixture.StageAndPublish(restored.VolumeId);
        Assert.Equal("before the snapshot", File.ReadAllText(Path.Combine(restoredTarget, "file")));
        var (cloneStaging, cloneTarget) = fixture.StageAndPublish(clone.VolumeId);
        Assert.Equal("after the snapshot", File.ReadAllText(Path.Combine(cloneTarget, "file")));
        Assert.True(new DriveInfo(cloneTarget).TotalSize > 40 * MiB, "the clone's filesystem should have the requested size");

        // The clone went through a snapshot of its source, which is gone again.
        var remaining = fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = source.VolumeId }).Entries.Select(entry => entry.Snapshot.SnapshotId);
        Assert.Equal([snapshot.SnapshotId], remaining);

        var missingSnapshot = DaemonFixture.CreateRequest(fixture.Unique("pvc-nosnapshot"), 32 * MiB);
        missingSnapshot.VolumeContentSource = new VolumeContentSource { Snapshot = new VolumeContentSource.Types.SnapshotSource { SnapshotId = $"{source.VolumeId}@missing" } };
        Expect.Status(StatusCode.NotFound, () => fixture.Controller.CreateVolume(missingSnapshot));
        var missingVolume = DaemonFixture.CreateRequest(fixture.Unique("pvc-novolume"), 32 * MiB);
        missingVolume.VolumeContentSource = new VolumeContentSource { Volume = new VolumeContentSource.Types.VolumeSource { VolumeId = "pvc-on-another-node" } };
        Expect.Status(StatusCode.NotFound, () => fixture.Controller.CreateVolume(missingVolume));

        fixture.UnpublishAndUnstage(clone.VolumeId, cloneStaging, cloneTarget);
        fixture.UnpublishAndUnstage(restored.VolumeId, restoredStaging, restoredTarget);
        fixture.UnpublishAndUnstage(source.VolumeId, staging, target);
        fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = snapshot.SnapshotId });
        foreach (var id in new[] { clone.VolumeId, restored.VolumeId, source.VolumeId })
        {
            fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = id });
        }
    }
}
