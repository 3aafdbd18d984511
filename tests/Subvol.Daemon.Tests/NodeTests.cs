using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;
using Mode = Csi.V1.VolumeCapability.Types.AccessMode.Types.Mode;
using RpcType = Csi.V1.NodeServiceCapability.Types.RPC.Types.Type;

namespace Subvol.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public sealed class NodeTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;

    [RootFact]
    public void NodeInfoAndCapabilities()
    {
        var info = fixture.Node.NodeGetInfo(new NodeGetInfoRequest());
        Assert.Equal(DaemonFixture.NodeId, info.NodeId);
        Assert.Equal(DaemonFixture.NodeId, info.AccessibleTopology.Segments[DaemonFixture.TopologyKey]);
        var types = fixture.Node.NodeGetCapabilities(new NodeGetCapabilitiesRequest()).Capabilities.Select(capability => capability.Rpc.Type).Order();
        Assert.Equal(new[] { RpcType.StageUnstageVolume, RpcType.GetVolumeStats, RpcType.ExpandVolume }.Order(), types);
    }

    [RootFact]
    public void MountLifecycleIsIdempotentAtEveryStep()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-mount"), 32 * MiB);
        var staging = fixture.NewStagingDirectory();
        var target = fixture.NewPath("target");
        var readOnlyTarget = fixture.NewPath("readonly");
        var capability = DaemonFixture.MountCapability("ext4", Mode.SingleNodeWriter, "noatime", "nodev");
        var stage = new NodeStageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging, VolumeCapability = capability };
        stage.Secrets["password"] = DaemonFixture.SecretValue;
        fixture.Node.NodeStageVolume(stage);
        fixture.Node.NodeStageVolume(stage);
        Assert.True(Kernel.MountAt(staging) is not null);
        Assert.Contains("noatime", Kernel.Mounts().Single(mount => mount.Target == staging).MountOptions);

        var publish = new NodePublishVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging, TargetPath = target, VolumeCapability = capability };
        fixture.Node.NodePublishVolume(publish);
        fixture.Node.NodePublishVolume(publish);
        File.WriteAllText(Path.Combine(target, "hello"), "world");
        Assert.Equal("world", File.ReadAllText(Path.Combine(staging, "hello")));

        var readOnly = new NodePublishVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging, TargetPath = readOnlyTarget, VolumeCapability = capability, Readonly = true };
        fixture.Node.NodePublishVolume(readOnly);
        fixture.Node.NodePublishVolume(readOnly);
        Assert.Equal("world", File.ReadAllText(Path.Combine(readOnlyTarget, "hello")));
        Assert.ThrowsAny<IOException>(() => File.WriteAllText(Path.Combine(readOnlyTarget, "nope"), "x"));

        // The same target read-write now is a different publication: ALREADY_EXISTS.
        Expect.Status(StatusCode.AlreadyExists, () => fixture.Node.NodePublishVolume(new NodePublishVolumeRequest
        {
            VolumeId = volume.VolumeId, StagingTargetPath = staging, TargetPath = readOnlyTarget, VolumeCapability = capability,
        }));

        var stats = fixture.Node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = volume.VolumeId, VolumePath = target });
        var bytes = Assert.Single(stats.Usage, usage => usage.Unit == VolumeUsage.Types.Unit.Bytes);
        Assert.InRange(bytes.Total, 20 * MiB, 32 * MiB);
        Assert.True(bytes.Used > 0 && bytes.Available > 0);
        var inodes = Assert.Single(stats.Usage, usage => usage.Unit == VolumeUsage.Types.Unit.Inodes);
        Assert.True(inodes.Total > 0 && inodes.Used > 0);
        Expect.Status(StatusCode.NotFound, () => fixture.Node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = volume.VolumeId, VolumePath = Path.Combine(fixture.Root, "does-not-exist") }));
        Expect.Status(StatusCode.NotFound, () => fixture.Node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = "pvc-unknown", VolumePath = target }));

        foreach (var path in new[] { target, readOnlyTarget })
        {
            fixture.Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = volume.VolumeId, TargetPath = path });
            fixture.Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = volume.VolumeId, TargetPath = path });
            Assert.False(Path.Exists(path), $"unpublish should remove {path}");
        }

        fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging });
        fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging });
        Assert.Null(Kernel.MountAt(staging));
        Assert.True(Waiting.Eventually(() => !Kernel.LoopDevices().Any(loop => loop.BackingFile == fixture.SubvolumeImage(volume.VolumeId)), TimeSpan.FromSeconds(10)), "the loop device should go with the last unmount");
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void BlockLifecyclePublishesTheLoopDevice()
    {
        var request = DaemonFixture.CreateRequest(fixture.Unique("pvc-block"), 32 * MiB);
        request.VolumeCapabilities[0] = DaemonFixture.BlockCapability();
        var volume = fixture.Controller.CreateVolume(request).Volume;
        var staging = fixture.NewStagingDirectory();
        var target = fixture.NewPath("device");
        var capability = DaemonFixture.BlockCapability();
        var stage = new NodeStageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging, VolumeCapability = capability };
        fixture.Node.NodeStageVolume(stage);
        fixture.Node.NodeStageVolume(stage);
        var publish = new NodePublishVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging, TargetPath = target, VolumeCapability = capability };
        fixture.Node.NodePublishVolume(publish);
        fixture.Node.NodePublishVolume(publish);
        Assert.True(Kernel.MountAt(target) is not null);
        Assert.Equal((32 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture), Tools.Run("blockdev", "--getsize64", target).Stdout.Trim());

        // Raw bytes written through the published node read back.
        var pattern = Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray();
        using (var device = new FileStream(target, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, 1, FileOptions.WriteThrough))
        {
            device.Position = 1 << 20;
            device.Write(pattern);
            device.Flush(flushToDisk: true);
        }

        using (var device = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1))
        {
            device.Position = 1 << 20;
            var read = new byte[pattern.Length];
            device.ReadExactly(read);
            Assert.Equal(pattern, read);
        }

        var stats = fixture.Node.NodeGetVolumeStats(new NodeGetVolumeStatsRequest { VolumeId = volume.VolumeId, VolumePath = target });
        Assert.Equal(32 * MiB, Assert.Single(stats.Usage).Total);

        // Online expansion of an attached device.
        var expanded = fixture.Controller.ControllerExpandVolume(new ControllerExpandVolumeRequest { VolumeId = volume.VolumeId, CapacityRange = new CapacityRange { RequiredBytes = 48 * MiB } });
        Assert.Equal(48 * MiB, expanded.CapacityBytes);
        Assert.Equal((48 * MiB).ToString(System.Globalization.CultureInfo.InvariantCulture), Tools.Run("blockdev", "--getsize64", target).Stdout.Trim());

        Expect.Status(StatusCode.FailedPrecondition, () => fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId }));
        fixture.Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = volume.VolumeId, TargetPath = target });
        fixture.Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = volume.VolumeId, TargetPath = target });
        Assert.False(Path.Exists(target));
        fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging });
        fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging });
        Assert.DoesNotContain(Kernel.LoopDevices(), loop => loop.BackingFile == fixture.SubvolumeImage(volume.VolumeId));
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void StagingOrPublishingInsideThePoolsOwnLayoutIsRefusedAndMountsNothing()
    {
        var incoming = Path.Combine(fixture.PoolPath, "incoming");
        var mounted = fixture.CreateVolume(fixture.Unique("pvc-layout"), 32 * MiB);
        var capability = DaemonFixture.MountCapability("ext4");
        var staged = Expect.Status(StatusCode.InvalidArgument, () => fixture.Node.NodeStageVolume(
            new NodeStageVolumeRequest { VolumeId = mounted.VolumeId, StagingTargetPath = incoming, VolumeCapability = capability }));
        Assert.Contains("own layout, where nothing is mounted", staged.Status.Detail);
        Assert.Null(Kernel.MountAt(incoming));

        var request = DaemonFixture.CreateRequest(fixture.Unique("pvc-layout-block"), 32 * MiB);
        request.VolumeCapabilities[0] = DaemonFixture.BlockCapability();
        var block = fixture.Controller.CreateVolume(request).Volume;
        var staging = fixture.NewStagingDirectory();
        var device = Path.Combine(incoming, "device");
        fixture.Node.NodeStageVolume(new NodeStageVolumeRequest { VolumeId = block.VolumeId, StagingTargetPath = staging, VolumeCapability = DaemonFixture.BlockCapability() });
        try
        {
            var published = Expect.Status(StatusCode.InvalidArgument, () => fixture.Node.NodePublishVolume(new NodePublishVolumeRequest
            {
                VolumeId = block.VolumeId, StagingTargetPath = staging, TargetPath = device, VolumeCapability = DaemonFixture.BlockCapability(),
            }));
            Assert.Contains("own layout, where nothing is mounted", published.Status.Detail);
            Assert.Null(Kernel.MountAt(device));
            Assert.False(Path.Exists(device));
        }
        finally
        {
            fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = block.VolumeId, StagingTargetPath = staging });
            fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = block.VolumeId });
            fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = mounted.VolumeId });
        }
    }

    [RootFact]
    public void UnknownVolumesAndPathsAreNotFound()
    {
        var staging = fixture.NewStagingDirectory();
        var target = fixture.NewPath("target");
        var capability = DaemonFixture.MountCapability();
        Expect.Status(StatusCode.NotFound, () => fixture.Node.NodeStageVolume(new NodeStageVolumeRequest { VolumeId = "pvc-unknown", StagingTargetPath = staging, VolumeCapability = capability }));
        Expect.Status(StatusCode.NotFound, () => fixture.Node.NodePublishVolume(new NodePublishVolumeRequest { VolumeId = "pvc-unknown", StagingTargetPath = staging, TargetPath = target, VolumeCapability = capability }));
        Expect.Status(StatusCode.NotFound, () => fixture.Node.NodeUnpublishVolume(new NodeUnpublishVolumeRequest { VolumeId = "pvc-unknown", TargetPath = target }));
        Expect.Status(StatusCode.NotFound, () => fixture.Node.NodeUnstageVolume(new NodeUnstageVolumeRequest { VolumeId = "pvc-unknown", StagingTargetPath = staging }));
        Expect.Status(StatusCode.NotFound, () => fixture.Node.NodeExpandVolume(new NodeExpandVolumeRequest { VolumeId = "pvc-unknown", VolumePath = target }));

        var volume = fixture.CreateVolume(fixture.Unique("pvc-unstaged"), 16 * MiB);
        Expect.Status(StatusCode.NotFound, () => fixture.Node.NodeExpandVolume(new NodeExpandVolumeRequest { VolumeId = volume.VolumeId, VolumePath = Path.Combine(fixture.Root, "does-not-exist") }));
        Expect.Status(StatusCode.FailedPrecondition, () => fixture.Node.NodePublishVolume(new NodePublishVolumeRequest { VolumeId = volume.VolumeId, StagingTargetPath = staging, TargetPath = target, VolumeCapability = capability }));
        Expect.Status(StatusCode.FailedPrecondition, () => fixture.Node.NodePublishVolume(new NodePublishVolumeRequest { VolumeId = volume.VolumeId, TargetPath = target, VolumeCapability = capability }));
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }
}
