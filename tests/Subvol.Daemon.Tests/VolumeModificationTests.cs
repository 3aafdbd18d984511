using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

[Collection(DaemonCollection.Name)]
public sealed class VolumeModificationTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;

    [RootFact]
    public void ModifyTurnsAThinVolumeGuaranteedAndBackWhileItIsMounted()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-modify"), 64 * MiB, thin: true);
        var image = fixture.SubvolumeImage(volume.VolumeId);
        var (staging, target) = fixture.StageAndPublish(volume.VolumeId);
        try
        {
            var thinAllocated = Allocated(image);
            Assert.True(thinAllocated < 64 * MiB, $"a thin 64 MiB volume holds {thinAllocated} bytes");

            Modify(volume.VolumeId, "guaranteed");
            Assert.True(Allocated(image) >= 64 * MiB, $"a guaranteed 64 MiB volume holds {Allocated(image)} bytes");
            Modify(volume.VolumeId, "guaranteed");

            Modify(volume.VolumeId, "thin");
            Assert.True(Allocated(image) < 64 * MiB, $"turned thin, the volume still holds {Allocated(image)} bytes");
        }
        finally
        {
            fixture.UnpublishAndUnstage(volume.VolumeId, staging, target);
        }

        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void AnUnknownKeyOrValueIsInvalidArgumentNamingItAndChangesNothing()
    {
        var volume = fixture.CreateVolume(fixture.Unique("pvc-modifybad"), 16 * MiB, thin: true);
        var image = fixture.SubvolumeImage(volume.VolumeId);
        var allocated = Allocated(image);

        var key = Expect.Status(StatusCode.InvalidArgument, () => fixture.Controller.ControllerModifyVolume(new ControllerModifyVolumeRequest
        {
            VolumeId = volume.VolumeId,
            MutableParameters = { ["provisioning"] = "guaranteed", ["iops"] = "3000" },
        }));
        Assert.Contains("'iops'", key.Status.Detail);
        var value = Expect.Status(StatusCode.InvalidArgument, () => Modify(volume.VolumeId, "fat"));
        Assert.Contains("provisioning", value.Status.Detail);
        Assert.DoesNotContain("fat", value.Status.Detail);
        Assert.Equal(allocated, Allocated(image));

        Expect.Status(StatusCode.InvalidArgument, () => fixture.Controller.ControllerModifyVolume(new ControllerModifyVolumeRequest { VolumeId = volume.VolumeId }));
        Expect.Status(StatusCode.InvalidArgument, () => Modify("", "thin"));
        Expect.Status(StatusCode.NotFound, () => Modify("pvc-no-such-volume", "thin"));
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
    }

    [RootFact]
    public void MutableParametersAtCreationOverrideTheStorageClassAndAreValidatedAlike()
    {
        var request = DaemonFixture.CreateRequest(fixture.Unique("pvc-attributes"), 64 * MiB);
        request.MutableParameters["provisioning"] = "thin";
        var volume = fixture.Controller.CreateVolume(request).Volume;
        Assert.True(Allocated(fixture.SubvolumeImage(volume.VolumeId)) < 64 * MiB, "a volume created with provisioning=thin as a mutable parameter is allocated in full");
        fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });

        var bad = DaemonFixture.CreateRequest(fixture.Unique("pvc-attributesbad"), 16 * MiB);
        bad.MutableParameters["throughput"] = "fast";
        Assert.Contains("'throughput'", Expect.Status(StatusCode.InvalidArgument, () => fixture.Controller.CreateVolume(bad)).Status.Detail);
    }

    private void Modify(string volumeId, string provisioning) =>
        fixture.Controller.ControllerModifyVolume(new ControllerModifyVolumeRequest { VolumeId = volumeId, MutableParameters = { ["provisioning"] = provisioning } });

    /// <summary>The bytes the host holds for a file, from stat's 512-byte block count.</summary>
    private static long Allocated(string path) =>
        long.Parse(Tools.Run("stat", "-c", "%b", path).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture) * 512;
}
