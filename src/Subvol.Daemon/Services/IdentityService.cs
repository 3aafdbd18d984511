using System.Reflection;
using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Csi;

namespace Subvol.Daemon.Services;

/// <summary>CSI Identity: who the plugin is, what it offers, and whether its pool is there.</summary>
internal sealed class IdentityService(DaemonOptions options, PoolGate pool) : Identity.IdentityBase
{
    public const string DriverName = "csi.subvol.io";

    public override Task<GetPluginInfoResponse> GetPluginInfo(GetPluginInfoRequest request, ServerCallContext context)
    {
        var version = typeof(IdentityService).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        return Task.FromResult(new GetPluginInfoResponse { Name = DriverName, VendorVersion = version.Split('+')[0] });
    }

    public override Task<GetPluginCapabilitiesResponse> GetPluginCapabilities(GetPluginCapabilitiesRequest request, ServerCallContext context)
    {
        var response = new GetPluginCapabilitiesResponse();
        if (options.AdvertisesController)
        {
            response.Capabilities.Add(Service(PluginCapability.Types.Service.Types.Type.ControllerService));
        }

        if (options.ServesController)
        {
            response.Capabilities.Add(Service(PluginCapability.Types.Service.Types.Type.GroupControllerService));
            response.Capabilities.Add(Service(PluginCapability.Types.Service.Types.Type.SnapshotMetadataService));
        }

        response.Capabilities.Add(Service(PluginCapability.Types.Service.Types.Type.VolumeAccessibilityConstraints));
        response.Capabilities.Add(new PluginCapability
        {
            VolumeExpansion = new PluginCapability.Types.VolumeExpansion { Type = PluginCapability.Types.VolumeExpansion.Types.Type.Online },
        });
        return Task.FromResult(response);
    }

    /// <summary>Ready only when the pool is there: a file-backed pool not yet imported after a reboot is not.</summary>
    public override Task<ProbeResponse> Probe(ProbeRequest request, ServerCallContext context) =>
        Task.FromResult(new ProbeResponse { Ready = pool.IsReady });

    private static PluginCapability Service(PluginCapability.Types.Service.Types.Type type) =>
        new() { Service = new PluginCapability.Types.Service { Type = type } };
}
