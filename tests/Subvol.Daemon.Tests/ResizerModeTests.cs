using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;
using ControllerRpc = Csi.V1.ControllerServiceCapability.Types.RPC.Types.Type;
using NodeRpc = Csi.V1.NodeServiceCapability.Types.RPC.Types.Type;
using ServiceType = Csi.V1.PluginCapability.Types.Service.Types.Type;

namespace Subvol.Daemon.Tests;

/// <summary>
/// subvold --mode resizer offers exactly what the one cluster-wide csi-resizer checks and calls: a Controller service
/// (without which csi-resizer exits) whose one capability is MODIFY_VOLUME, and the Node service's EXPAND_VOLUME,
/// so csi-resizer leaves expansion to the node and carries VolumeAttributesClass changes to the pool.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ResizerModeTests(DaemonFixture fixture)
{
    [RootFact]
    public void ItOffersAControllerWhoseOnlyCapabilityIsModifyAndExpandsThroughTheNode()
    {
        using var resizer = fixture.StartOther(fixture.PoolPath, "--mode", "resizer");

        var services = resizer.Identity.GetPluginCapabilities(new GetPluginCapabilitiesRequest()).Capabilities
            .Where(capability => capability.Service is not null).Select(capability => capability.Service.Type).ToList();
        var controller = resizer.Controller.ControllerGetCapabilities(new ControllerGetCapabilitiesRequest()).Capabilities.Select(capability => capability.Rpc.Type);
        var node = resizer.Node.NodeGetCapabilities(new NodeGetCapabilitiesRequest()).Capabilities.Select(capability => capability.Rpc.Type);

        Assert.Contains(ServiceType.ControllerService, services);
        Assert.DoesNotContain(ServiceType.GroupControllerService, services);
        Assert.Equal([ControllerRpc.ModifyVolume], controller);
        Assert.Contains(NodeRpc.ExpandVolume, node);
        Expect.Status(StatusCode.Unimplemented, () => resizer.Controller.CreateVolume(DaemonFixture.CreateRequest(fixture.Unique("pvc-resizer"), 16 * DaemonFixture.MiB)));
        Expect.Status(StatusCode.Unimplemented, () => resizer.Controller.ControllerExpandVolume(new ControllerExpandVolumeRequest { VolumeId = "pvc-any", CapacityRange = new CapacityRange { RequiredBytes = 1 } }));
        Expect.Status(StatusCode.Unimplemented, () => resizer.GroupController.GroupControllerGetCapabilities(new GroupControllerGetCapabilitiesRequest()));
    }

    [RootFact]
    public void ModifyChangesAVolumeThisNodeHoldsAndNamesTheNodeForOneItDoesNot()
    {
        using var resizer = fixture.StartOther(fixture.PoolPath, "--mode", "resizer");
        var volume = fixture.CreateVolume(fixture.Unique("pvc-resizermodify"), 16 * DaemonFixture.MiB, thin: true).VolumeId;

        resizer.Controller.ControllerModifyVolume(new ControllerModifyVolumeRequest { VolumeId = volume, MutableParameters = { ["provisioning"] = "guaranteed" } });
        var elsewhere = Expect.Status(StatusCode.NotFound, () => resizer.Controller.ControllerModifyVolume(
            new ControllerModifyVolumeRequest { VolumeId = "pvc-on-another-node", MutableParameters = { ["provisioning"] = "thin" } }));
        var unknown = Expect.Status(StatusCode.InvalidArgument, () => resizer.Controller.ControllerModifyVolume(
            new ControllerModifyVolumeRequest { VolumeId = volume, MutableParameters = { ["iops"] = "3000" } }));

        using (var pool = Pool.Open(fixture.PoolPath))
        {
            Assert.Equal(Provisioning.Guaranteed, pool.GetSubvolume(volume).Provisioning);
        }

        Assert.Contains("pvc-on-another-node", elsewhere.Status.Detail, StringComparison.Ordinal);
        Assert.Contains($"node {DaemonFixture.NodeId}", elsewhere.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("'iops'", unknown.Status.Detail, StringComparison.Ordinal);
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume });
    }
}
