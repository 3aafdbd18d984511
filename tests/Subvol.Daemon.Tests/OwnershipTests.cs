using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

/// <summary>The driver marks what it creates and deletes only that: a subvolume or snapshot made with the command line is never its to remove.</summary>
[Collection(DaemonCollection.Name)]
public sealed class OwnershipTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;
    private const string DriverName = "csi.subvol.io";

    [RootFact]
    public void WhatTheDriverCreatesIsRecordedAsItsOwn()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-marked"), 16 * MiB);
        var snapshot = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-marked"), SourceVolumeId = volume.VolumeId }).Snapshot;
        var clone = fixture.Controller.CreateVolume(WithSource(fixture.Unique("pvc-clone"), new VolumeContentSource { Snapshot = new VolumeContentSource.Types.SnapshotSource { SnapshotId = snapshot.SnapshotId } })).Volume;

        using (var pool = Pool.Open(fixture.PoolPath))
        {
            Assert.Equal(DriverName, pool.GetSubvolume(volume.VolumeId).Creator);
            Assert.Equal(DriverName, pool.GetSubvolume(clone.VolumeId).Creator);
            Assert.Equal(DriverName, Assert.Single(pool.FindSnapshots(volume.VolumeId)).Creator);
        }

        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = clone.VolumeId });
        fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = snapshot.SnapshotId });
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
        using var after = Pool.Open(fixture.PoolPath);
        Assert.Null(after.FindSubvolume(volume.VolumeId));
        Assert.Null(after.FindSubvolume(clone.VolumeId));
    }

    [RootFact]
    public void DeleteVolumeOfASubvolumeMadeWithTheCommandLineIsFailedPreconditionAndKeepsIt()
    {
        var name = fixture.Unique("pvc-handmade");
        using (var pool = Pool.Open(fixture.PoolPath))
        {
            pool.CreateSubvolume(name, 16 * MiB, FileSystemKind.Ext4, Provisioning.Thin);
            Assert.Null(pool.GetSubvolume(name).Creator);
        }

        var refused = Expect.Status(StatusCode.FailedPrecondition, () => fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = name }));

        Assert.Contains("not created by the CSI driver", refused.Status.Detail);
        Assert.Contains($"subvol delete {name}", refused.Status.Detail);
        Assert.True(File.Exists(fixture.SubvolumeImage(name)), "the subvolume's image must survive the refused deletion");
        using (var pool = Pool.Open(fixture.PoolPath))
        {
            Assert.NotNull(pool.FindSubvolume(name));

            // The driver does not adopt it either: a CreateVolume of the same name is ALREADY_EXISTS, not a success it could later delete.
            Expect.Status(StatusCode.AlreadyExists, () => fixture.CreateVolume(name, 16 * MiB));

            // Removed by hand, as the message says, the volume is gone and DeleteVolume succeeds.
            pool.DeleteSubvolume(name, recursive: false);
        }

        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = name });
    }

    [RootFact]
    public void DeleteSnapshotOfASnapshotTakenWithTheCommandLineIsFailedPreconditionAndKeepsIt()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-handsnapped"), 16 * MiB);
        var snapshotName = fixture.Unique("by-hand");
        using (var pool = Pool.Open(fixture.PoolPath))
        {
            pool.CreateSnapshot(volume.VolumeId, snapshotName);
        }

        var id = $"{volume.VolumeId}@{snapshotName}";
        var refused = Expect.Status(StatusCode.FailedPrecondition, () => fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = id }));

        Assert.Contains("not created by the CSI driver", refused.Status.Detail);
        Assert.Contains($"subvol destroy {id}", refused.Status.Detail);
        Expect.Status(StatusCode.AlreadyExists, () => fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = snapshotName, SourceVolumeId = volume.VolumeId }));
        using (var pool = Pool.Open(fixture.PoolPath))
        {
            Assert.Single(pool.FindSnapshots(volume.VolumeId, snapshotName));
            pool.DestroySnapshot(new SnapshotReference(volume.VolumeId, snapshotName));
        }

        fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = id });
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    private static CreateVolumeRequest WithSource(string name, VolumeContentSource source)
    {
        var request = DaemonFixture.CreateRequest(name, 16 * MiB);
        request.VolumeContentSource = source;
        return request;
    }
}
