using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

/// <summary>
/// A pool that is there but cannot be used until the operator acts (damaged metadata, a read-only
/// filesystem) answers FAILED_PRECONDITION with what to do, not UNAVAILABLE, which the CO would retry forever.
/// Each test damages a pool of its own, so that the fixture's pool stays sound for the other tests.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class DamagedPoolTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;

    [RootFact]
    public void CreateVolumeOnAGarbagePoolDatabaseIsFailedPreconditionNamingTheRepairAndWorksAfterIt()
    {
        var poolPath = Path.Combine(fixture.Root, fixture.Unique("damaged-pool"));
        Pool.Create(poolPath, poolPath + ".img", 1L << 30, fixture.Registry, sparse: true);
        try
        {
            using var daemon = fixture.StartOther(poolPath);
            var database = Path.Combine(poolPath, ".subvol", "pool.db");
            File.WriteAllBytes(database, Enumerable.Repeat((byte)0x5a, 8192).ToArray());

            var refused = Expect.Status(StatusCode.FailedPrecondition, () => daemon.Controller.CreateVolume(DaemonFixture.CreateRequest(fixture.Unique("pvc-damaged"), 16 * MiB)));
            Assert.Contains(database, refused.Status.Detail);
            Assert.Contains("subvol check --repair", refused.Status.Detail);
            // The plugin itself is up: Probe stays ready, and the calls say what the operator must do.
            Assert.True(daemon.Identity.Probe(new ProbeRequest()).Ready);

            Assert.NotNull(Pool.RebuildDamagedMetadata(poolPath));
            var volume = daemon.Controller.CreateVolume(DaemonFixture.CreateRequest(fixture.Unique("pvc-repaired"), 16 * MiB)).Volume;
            using (var pool = Pool.Open(poolPath))
            {
                Assert.NotNull(pool.FindSubvolume(volume.VolumeId));
            }

            daemon.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume.VolumeId });
        }
        finally
        {
            ExportAfterRepair(poolPath);
        }
    }

    [RootFact]
    public void CreateVolumeOnAReadOnlyPoolIsFailedPreconditionNamingTheRemount()
    {
        var poolPath = Path.Combine(fixture.Root, fixture.Unique("read-only-pool"));
        Pool.Create(poolPath, poolPath + ".img", 1L << 30, fixture.Registry, sparse: true);
        try
        {
            using var daemon = fixture.StartOther(poolPath);
            Assert.Equal(0, Tools.Run("mount", "-o", "remount,ro", poolPath).ExitCode);

            var refused = Expect.Status(StatusCode.FailedPrecondition, () => daemon.Controller.CreateVolume(DaemonFixture.CreateRequest(fixture.Unique("pvc-read-only"), 16 * MiB)));
            Assert.Contains("read-only", refused.Status.Detail);
            Assert.Contains("mount -o remount,rw", refused.Status.Detail);
        }
        finally
        {
            Tools.Run("mount", "-o", "remount,rw", poolPath);
            ExportAfterRepair(poolPath);
        }
    }

    /// <summary>Exports the test's own pool, rebuilding its metadata first if the test stopped before it did.</summary>
    private void ExportAfterRepair(string poolPath)
    {
        Pool.RebuildDamagedMetadata(poolPath);
        Pool.Export(poolPath, fixture.Registry);
    }
}
