using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;
using Mode = Csi.V1.VolumeCapability.Types.AccessMode.Types.Mode;
using RpcType = Csi.V1.ControllerServiceCapability.Types.RPC.Types.Type;

namespace Subvol.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public sealed class VolumeTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;

    [RootFact]
    public void ControllerCapabilitiesAreTheOnesImplemented()
    {
        var types = fixture.Controller.ControllerGetCapabilities(new ControllerGetCapabilitiesRequest()).Capabilities.Select(capability => capability.Rpc.Type).Order().ToList();
        Assert.Equal(
            new[] { RpcType.CreateDeleteVolume, RpcType.GetCapacity, RpcType.CreateDeleteSnapshot, RpcType.ListSnapshots, RpcType.CloneVolume, RpcType.ExpandVolume,
                RpcType.ListVolumes, RpcType.ListVolumesPublishedNodes, RpcType.ModifyVolume }.Order(),
            types);
    }

    [RootFact]
    public void CreateIsIdempotentAndADifferentSizeIsAlreadyExists()
    {
        var name = fixture.Unique("pvc-idempotent");
        var first = fixture.CreateVolume(name, 32 * MiB);
        var second = fixture.CreateVolume(name, 32 * MiB);
        Assert.Equal(first.VolumeId, second.VolumeId);
        Assert.Equal(first.CapacityBytes, second.CapacityBytes);
        Expect.Status(StatusCode.AlreadyExists, () => fixture.CreateVolume(name, 64 * MiB));
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = first.VolumeId });
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = first.VolumeId });
    }

    [RootFact]
    public void CapacityIsRoundedUpToWholeMebibytesAndTheFilesystemMinimum()
    {
        var rounded = fixture.CreateVolume(fixture.Unique("pvc-round"), 20 * MiB + 1);
        Assert.Equal(21 * MiB, rounded.CapacityBytes);
        var minimum = fixture.CreateVolume(fixture.Unique("pvc-minimum"), 1000);
        Assert.Equal(16 * MiB, minimum.CapacityBytes);
        var unspecified = fixture.Controller.CreateVolume(new CreateVolumeRequest { Name = fixture.Unique("pvc-nocapacity"), VolumeCapabilities = { DaemonFixture.MountCapability("ext4") } }).Volume;
        Assert.Equal(16 * MiB, unspecified.CapacityBytes);
        var tooSmall = DaemonFixture.CreateRequest(fixture.Unique("pvc-limit"), 1000);
        tooSmall.CapacityRange.LimitBytes = 2000;
        Expect.Status(StatusCode.OutOfRange, () => fixture.Controller.CreateVolume(tooSmall));
        foreach (var volume in new[] { rounded, minimum, unspecified })
        {
            fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
        }
    }

    [RootFact]
    public void MaximumLengthNamesAreAccepted()
    {
        var name = new string('n', 120) + "/é@" + "xyzab";
        Assert.Equal(128, name.Length);
        var volume = fixture.CreateVolume(name, 16 * MiB);
        Assert.Equal(volume.VolumeId, fixture.CreateVolume(name, 16 * MiB).VolumeId);
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void TheResponseCarriesTheNodeTopology()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-topology"), 16 * MiB);
        var topology = Assert.Single(volume.AccessibleTopology);
        Assert.Equal(DaemonFixture.NodeId, topology.Segments[DaemonFixture.TopologyKey]);
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });

        var elsewhere = DaemonFixture.CreateRequest(fixture.Unique("pvc-elsewhere"), 16 * MiB);
        elsewhere.AccessibilityRequirements = new TopologyRequirement { Requisite = { new Topology { Segments = { [DaemonFixture.TopologyKey] = "another-node" } } } };
        Expect.Status(StatusCode.ResourceExhausted, () => fixture.Controller.CreateVolume(elsewhere));
    }

    [RootFact]
    public void MultiNodeModesAndUnknownFilesystemsAreRefused()
    {
        var multi = DaemonFixture.CreateRequest(fixture.Unique("pvc-multi"), 16 * MiB);
        multi.VolumeCapabilities[0] = DaemonFixture.MountCapability("ext4", Mode.MultiNodeMultiWriter);
        Expect.Status(StatusCode.InvalidArgument, () => fixture.Controller.CreateVolume(multi));
        Expect.Status(StatusCode.InvalidArgument, () => fixture.CreateVolume(fixture.Unique("pvc-btrfs"), 16 * MiB, "btrfs"));
    }

    [RootFact]
    public void DeletingAnUnknownVolumeSucceeds()
    {
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = "pvc-never-created" });
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = "not a valid/id@all" });
    }

    [RootFact]
    public void ValidateVolumeCapabilitiesConfirmsOnlyWhatItCanDo()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-validate"), 16 * MiB);
        var confirmed = fixture.Controller.ValidateVolumeCapabilities(new ValidateVolumeCapabilitiesRequest
        {
            VolumeId = volume.VolumeId,
            VolumeCapabilities = { DaemonFixture.MountCapability("ext4"), DaemonFixture.BlockCapability(Mode.SingleNodeReaderOnly) },
        });
        Assert.NotNull(confirmed.Confirmed);
        Assert.Equal(2, confirmed.Confirmed.VolumeCapabilities.Count);

        var refused = fixture.Controller.ValidateVolumeCapabilities(new ValidateVolumeCapabilitiesRequest
        {
            VolumeId = volume.VolumeId,
            VolumeCapabilities = { DaemonFixture.MountCapability("ext4", Mode.MultiNodeReaderOnly) },
        });
        Assert.Null(refused.Confirmed);
        Assert.NotEmpty(refused.Message);

        var wrongFilesystem = fixture.Controller.ValidateVolumeCapabilities(new ValidateVolumeCapabilitiesRequest
        {
            VolumeId = volume.VolumeId,
            VolumeCapabilities = { DaemonFixture.MountCapability("xfs") },
        });
        Assert.Null(wrongFilesystem.Confirmed);

        Expect.Status(StatusCode.NotFound, () => fixture.Controller.ValidateVolumeCapabilities(new ValidateVolumeCapabilitiesRequest
        {
            VolumeId = "pvc-unknown",
            VolumeCapabilities = { DaemonFixture.MountCapability() },
        }));
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void CapacityDropsAfterACreate()
    {
        var before = fixture.Controller.GetCapacity(new GetCapacityRequest { VolumeCapabilities = { DaemonFixture.MountCapability("xfs") } });
        Assert.True(before.AvailableCapacity > 320 * MiB, $"a fresh 4 GiB pool should offer more than 320 MiB, not {before.AvailableCapacity}");
        Assert.Equal(300 * MiB, before.MinimumVolumeSize);
        var volume = fixture.CreateVolume(fixture.Unique("pvc-capacity"), 320 * MiB, "xfs");
        var after = fixture.Controller.GetCapacity(new GetCapacityRequest { VolumeCapabilities = { DaemonFixture.MountCapability("xfs") } });
        Assert.True(after.AvailableCapacity <= before.AvailableCapacity - 256 * MiB, $"capacity should drop by about 320 MiB: {before.AvailableCapacity} → {after.AvailableCapacity}");
        var multi = fixture.Controller.GetCapacity(new GetCapacityRequest { VolumeCapabilities = { DaemonFixture.MountCapability("xfs", Mode.MultiNodeMultiWriter) } });
        Assert.Equal(0, multi.AvailableCapacity);
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void ExpansionIsVisibleInTheMountedFilesystem()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-expand"), 320 * MiB, "xfs", thin: true);
        var (staging, target) = fixture.StageAndPublish(volume.VolumeId, "xfs");
        var before = new DriveInfo(target).TotalSize;
        var expanded = fixture.Controller.ControllerExpandVolume(new ControllerExpandVolumeRequest
        {
            VolumeId = volume.VolumeId,
            CapacityRange = new CapacityRange { RequiredBytes = 400 * MiB },
        });
        Assert.Equal(400 * MiB, expanded.CapacityBytes);
        var after = new DriveInfo(target).TotalSize;
        Assert.True(after > before + 60 * MiB, $"the mounted filesystem should grow: {before} → {after}");

        // The node's expansion finds nothing left to do, and says the size.
        var node = fixture.Node.NodeExpandVolume(new NodeExpandVolumeRequest { VolumeId = volume.VolumeId, VolumePath = target, CapacityRange = new CapacityRange { RequiredBytes = 400 * MiB } });
        Assert.Equal(400 * MiB, node.CapacityBytes);

        // Growing further from the node works too, online.
        var grown = fixture.Node.NodeExpandVolume(new NodeExpandVolumeRequest { VolumeId = volume.VolumeId, VolumePath = target, CapacityRange = new CapacityRange { RequiredBytes = 450 * MiB } });
        Assert.Equal(450 * MiB, grown.CapacityBytes);
        Assert.True(new DriveInfo(target).TotalSize > after);

        var stats = fixture.Node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = volume.VolumeId, VolumePath = target });
        var bytes = Assert.Single(stats.Usage, usage => usage.Unit == VolumeUsage.Types.Unit.Bytes);
        Assert.Equal(new DriveInfo(target).TotalSize, bytes.Total);
        Assert.True(bytes.Total > after, $"stats should show the grown filesystem: {bytes.Total}, not {after}");

        Expect.Status(StatusCode.OutOfRange, () => fixture.Controller.ControllerExpandVolume(new ControllerExpandVolumeRequest
        {
            VolumeId = volume.VolumeId,
            CapacityRange = new CapacityRange { RequiredBytes = 100 * MiB, LimitBytes = 100 * MiB },
        }));
        Expect.Status(StatusCode.NotFound, () => fixture.Controller.ControllerExpandVolume(new ControllerExpandVolumeRequest
        {
            VolumeId = "pvc-unknown",
            CapacityRange = new CapacityRange { RequiredBytes = 100 * MiB },
        }));
        fixture.UnpublishAndUnstage(volume.VolumeId, staging, target);
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void AStagedVolumeIsNotDeleted()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-inuse"), 16 * MiB);
        var (staging, target) = fixture.StageAndPublish(volume.VolumeId);
        Expect.Status(StatusCode.FailedPrecondition, () => fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId }));
        fixture.UnpublishAndUnstage(volume.VolumeId, staging, target);
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void ARestartLosesNothing()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-restart"), 16 * MiB);
        var snapshot = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snap-restart"), SourceVolumeId = volume.VolumeId }).Snapshot;
        var (staging, target) = fixture.StageAndPublish(volume.VolumeId);
        File.WriteAllText(Path.Combine(target, "kept"), "across restarts");

        fixture.Restart();

        Assert.Equal(volume.VolumeId, fixture.CreateVolume(volume.VolumeId, 16 * MiB).VolumeId);
        var listed = fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SnapshotId = snapshot.SnapshotId });
        Assert.Equal(snapshot.SnapshotId, Assert.Single(listed.Entries).Snapshot.SnapshotId);
        var stats = fixture.Node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = volume.VolumeId, VolumePath = target });
        Assert.NotEmpty(stats.Usage);
        Assert.Equal("across restarts", File.ReadAllText(Path.Combine(target, "kept")));

        // Staging and publishing again after the restart are recognised as done.
        fixture.StageAndPublishAt(volume.VolumeId, staging, target);
        Assert.Equal("across restarts", File.ReadAllText(Path.Combine(target, "kept")));
        fixture.UnpublishAndUnstage(volume.VolumeId, staging, target);
        fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = snapshot.SnapshotId });
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }
}
