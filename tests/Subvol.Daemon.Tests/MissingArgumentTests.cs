using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

/// <summary>Every RPC refuses a request without a required field with INVALID_ARGUMENT, before touching anything.</summary>
[Collection(DaemonCollection.Name)]
public sealed class MissingArgumentTests(DaemonFixture fixture)
{
    private static readonly VolumeCapability Mount = DaemonFixture.MountCapability();

    [RootFact]
    public void ControllerRpcs()
    {
        var range = new CapacityRange { RequiredBytes = 16 << 20 };
        Invalid(() => fixture.Controller.CreateVolume(new CreateVolumeRequest { VolumeCapabilities = { Mount } }));
        Invalid(() => fixture.Controller.CreateVolume(new CreateVolumeRequest { Name = "pvc-nocapabilities" }));
        Invalid(() => fixture.Controller.CreateVolume(new CreateVolumeRequest { Name = "pvc-noaccessmode", VolumeCapabilities = { new VolumeCapability { Mount = new VolumeCapability.Types.MountVolume() } } }));
        Invalid(() => fixture.Controller.CreateVolume(new CreateVolumeRequest { Name = "pvc-noaccesstype", VolumeCapabilities = { new VolumeCapability { AccessMode = Mount.AccessMode } } }));
        Invalid(() => fixture.Controller.DeleteVolume(new DeleteVolumeRequest()));
        Invalid(() => fixture.Controller.ValidateVolumeCapabilities(new ValidateVolumeCapabilitiesRequest { VolumeCapabilities = { Mount } }));
        Invalid(() => fixture.Controller.ValidateVolumeCapabilities(new ValidateVolumeCapabilitiesRequest { VolumeId = "pvc-x" }));
        Invalid(() => fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { SourceVolumeId = "pvc-x" }));
        Invalid(() => fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = "snapshot-x" }));
        Invalid(() => fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest()));
        Invalid(() => fixture.Controller.ControllerExpandVolume(new ControllerExpandVolumeRequest { CapacityRange = range }));
        Invalid(() => fixture.Controller.ControllerExpandVolume(new ControllerExpandVolumeRequest { VolumeId = "pvc-x" }));
    }

    [RootFact]
    public void NodeRpcs()
    {
        const string path = "/nonexistent/path";
        Invalid(() => fixture.Node.NodeStageVolume(new NodeStageVolumeRequest { StagingTargetPath = path, VolumeCapability = Mount }));
        Invalid(() => fixture.Node.NodeStageVolume(new NodeStageVolumeRequest { VolumeId = "pvc-x", VolumeCapability = Mount }));
        Invalid(() => fixture.Node.NodeStageVolume(new NodeStageVolumeRequest { VolumeId = "pvc-x", StagingTargetPath = path }));
        Invalid(() => fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { StagingTargetPath = path }));
        Invalid(() => fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = "pvc-x" }));
        Invalid(() => fixture.Node.NodePublishVolume(new NodePublishVolumeRequest { StagingTargetPath = path, TargetPath = path, VolumeCapability = Mount }));
        Invalid(() => fixture.Node.NodePublishVolume(new NodePublishVolumeRequest { VolumeId = "pvc-x", StagingTargetPath = path, VolumeCapability = Mount }));
        Invalid(() => fixture.Node.NodePublishVolume(new NodePublishVolumeRequest { VolumeId = "pvc-x", StagingTargetPath = path, TargetPath = path }));
        Invalid(() => fixture.Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { TargetPath = path }));
        Invalid(() => fixture.Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = "pvc-x" }));
        Invalid(() => fixture.Node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumePath = path }));
        Invalid(() => fixture.Node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = "pvc-x" }));
        Invalid(() => fixture.Node.NodeExpandVolume(new NodeExpandVolumeRequest { VolumePath = path }));
        Invalid(() => fixture.Node.NodeExpandVolume(new NodeExpandVolumeRequest { VolumeId = "pvc-x" }));
    }

    private static void Invalid(Action call) => Expect.Status(StatusCode.InvalidArgument, call);
}
