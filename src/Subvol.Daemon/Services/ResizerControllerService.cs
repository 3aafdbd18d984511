using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Csi;
using Subvol.Daemon.Errors;
using RpcType = Csi.V1.ControllerServiceCapability.Types.RPC.Types.Type;

namespace Subvol.Daemon.Services;

/// <summary>
/// The part of the CSI Controller that the one cluster-wide csi-resizer calls (it has no per-node mode yet,
/// kubernetes-csi/external-resizer#142). csi-resizer exits unless the plugin offers a Controller service; offered one
/// without EXPAND_VOLUME but with the Node service's EXPAND_VOLUME, it records a new size and leaves the growing to
/// NodeExpandVolume on the node that holds the volume. MODIFY_VOLUME carries a VolumeAttributesClass change, which
/// only the pool that holds the volume can make.
/// </summary>
internal sealed class ResizerControllerService(DaemonOptions options, PoolGate gate, ControllerService controller) : Controller.ControllerBase
{
    public override Task<ControllerGetCapabilitiesResponse> ControllerGetCapabilities(ControllerGetCapabilitiesRequest request, ServerCallContext context) =>
        Task.FromResult(new ControllerGetCapabilitiesResponse
        {
            Capabilities = { new ControllerServiceCapability { Rpc = new ControllerServiceCapability.Types.RPC { Type = RpcType.ModifyVolume } } },
        });

    public override async Task<ControllerModifyVolumeResponse> ControllerModifyVolume(ControllerModifyVolumeRequest request, ServerCallContext context)
    {
        if (request.VolumeId.Length > 0
            && !await gate.Run(pool => VolumeNames.ParseVolumeId(request.VolumeId) is { } name && pool.FindSubvolume(name) is not null, context.CancellationToken))
        {
            throw ErrorStatus.NotFound(
                $"volume {request.VolumeId} is not in the pool of node {options.NodeId}, where csi-resizer runs: it has no per-node mode yet, so it reaches the volumes " +
                $"of its own node only; change the volume on the node that holds it with 'subvol set {request.VolumeId} provisioning=...'");
        }

        return await controller.ControllerModifyVolume(request, context);
    }
}
