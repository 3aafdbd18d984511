using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public sealed class IdentityTests(DaemonFixture fixture)
{
    [RootFact]
    public void PluginInfoNamesTheDriverAndItsVersion()
    {
        var info = fixture.Identity.GetPluginInfo(new GetPluginInfoRequest());
        Assert.Equal("csi.subvol.io", info.Name);
        Assert.False(string.IsNullOrEmpty(info.VendorVersion));
    }

    [RootFact]
    public void PluginCapabilitiesAreControllerTopologyAndOnlineExpansion()
    {
        var capabilities = fixture.Identity.GetPluginCapabilities(new GetPluginCapabilitiesRequest()).Capabilities;
        var services = capabilities.Where(capability => capability.Service is not null).Select(capability => capability.Service.Type).ToList();
        Assert.Contains(PluginCapability.Types.Service.Types.Type.ControllerService, services);
        Assert.Contains(PluginCapability.Types.Service.Types.Type.VolumeAccessibilityConstraints, services);
        Assert.Contains(capabilities, capability => capability.VolumeExpansion?.Type == PluginCapability.Types.VolumeExpansion.Types.Type.Online);
    }

    [RootFact]
    public void ProbeIsReadyWithItsPool()
    {
        Assert.True(fixture.Identity.Probe(new ProbeRequest()).Ready);
    }

    [RootFact]
    public void ProbeIsNotReadyWithoutItsPoolAndCallsAreUnavailable()
    {
        using var daemon = fixture.StartOther(Path.Combine(fixture.Root, "no-such-pool"));
        Assert.False(daemon.Identity.Probe(new ProbeRequest()).Ready);
        Expect.Status(StatusCode.Unavailable, () => daemon.Controller.CreateVolume(DaemonFixture.CreateRequest("vol", 32 * DaemonFixture.MiB)));
    }
}
