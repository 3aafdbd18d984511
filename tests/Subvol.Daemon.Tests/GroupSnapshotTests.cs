using System.Buffers.Binary;
using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Tests.Infrastructure;

namespace Subvol.Daemon.Tests;

/// <summary>
/// The CSI GroupController: a group of this node's volumes snapshotted at one instant, repeatable on its name and
/// sources, found again after a restart, and deleted whole or member by member, with the error codes spec.md names.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class GroupSnapshotTests(DaemonFixture fixture)
{
    private const long MiB = DaemonFixture.MiB;
    private const int Rounds = 12;

    [RootFact]
    public void ThePluginOffersTheGroupControllerWithCreateDeleteAndGet()
    {
        var services = fixture.Identity.GetPluginCapabilities(new GetPluginCapabilitiesRequest()).Capabilities
            .Where(capability => capability.Service is not null).Select(capability => capability.Service.Type);
        var rpcs = fixture.GroupController.GroupControllerGetCapabilities(new GroupControllerGetCapabilitiesRequest()).Capabilities.Select(capability => capability.Rpc.Type);

        Assert.Contains(PluginCapability.Types.Service.Types.Type.GroupControllerService, services);
        Assert.Equal([GroupControllerServiceCapability.Types.RPC.Types.Type.CreateDeleteGetVolumeGroupSnapshot], rpcs);
    }

    [RootFact]
    public void AGroupIsRepeatableOnItsNameAndSourcesAndOtherSourcesAreAlreadyExists()
    {
        var (first, second) = (CreateVolume("pvc-gsame"), CreateVolume("pvc-gsame"));
        var third = CreateVolume("pvc-gother");
        var name = fixture.Unique("groupsnapshot-same");

        var group = Create(name, first, second);
        var again = Create(name, second, first);

        Assert.Equal(name, group.GroupSnapshotId);
        Assert.True(group.ReadyToUse);
        Assert.Equal([$"{first}@{name}", $"{second}@{name}"], group.Snapshots.Select(snapshot => snapshot.SnapshotId).Order(StringComparer.Ordinal));
        Assert.All(group.Snapshots, snapshot =>
        {
            Assert.Equal(group.CreationTime, snapshot.CreationTime);
            Assert.Equal(name, snapshot.GroupSnapshotId);
            Assert.True(snapshot.ReadyToUse);
            Assert.Equal(16 * MiB, snapshot.SizeBytes);
        });
        Assert.Equal(group, again);
        var refused = Expect.Status(StatusCode.AlreadyExists, () => Create(name, first, third));
        Assert.Contains(first, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = third }).Entries);

        // ListSnapshots, which the snapshotter sidecar uses for each member, names the group too.
        var listed = Assert.Single(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SnapshotId = $"{first}@{name}" }).Entries);
        Assert.Equal(name, listed.Snapshot.GroupSnapshotId);

        Delete(group);
        DeleteVolumes(first, second, third);
    }

    [RootFact]
    public void RequiredFieldsLeftEmptyAreInvalidArgument()
    {
        var volume = CreateVolume("pvc-gempty");

        Expect.Status(StatusCode.InvalidArgument, () => fixture.GroupController.CreateVolumeGroupSnapshot(new CreateVolumeGroupSnapshotRequest { SourceVolumeIds = { volume } }));
        Expect.Status(StatusCode.InvalidArgument, () => fixture.GroupController.CreateVolumeGroupSnapshot(new CreateVolumeGroupSnapshotRequest { Name = fixture.Unique("groupsnapshot-empty") }));
        Expect.Status(StatusCode.InvalidArgument, () => fixture.GroupController.DeleteVolumeGroupSnapshot(new DeleteVolumeGroupSnapshotRequest()));
        Expect.Status(StatusCode.InvalidArgument, () => fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest()));
        Expect.Status(StatusCode.InvalidArgument, () => Create(fixture.Unique("groupsnapshot-twice"), volume, volume));
        Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = volume }).Entries);

        DeleteVolumes(volume);
    }

    [RootFact]
    public void AVolumeThisNodeDoesNotHoldIsFailedPreconditionNamingItAndNothingIsTaken()
    {
        var here = CreateVolume("pvc-ghere");
        var name = fixture.Unique("groupsnapshot-split");

        var refused = Expect.Status(StatusCode.FailedPrecondition, () => Create(name, here, "pvc-on-another-node"));

        Assert.Contains("pvc-on-another-node", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains(DaemonFixture.NodeId, refused.Status.Detail, StringComparison.Ordinal);
        Assert.DoesNotContain(here, refused.Status.Detail, StringComparison.Ordinal);
        Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = here }).Entries);
        Expect.Status(StatusCode.NotFound, () => fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = name }));

        DeleteVolumes(here);
    }

    [RootFact]
    public void AGroupWhoseHeadroomThePoolCannotReserveIsResourceExhaustedAndTakesNothing()
    {
        // Two guaranteed volumes take nine tenths of what the pool can promise; each then holds written blocks worth three
        // quarters of what is left, which its snapshot would share: either alone fits, both together do not.
        var available = fixture.Controller.GetCapacity(new GetCapacityRequest()).AvailableCapacity;
        var size = available * 45 / 100 / MiB * MiB;
        var first = fixture.CreateVolume(fixture.Unique("pvc-gfull"), size).VolumeId;
        var second = fixture.CreateVolume(fixture.Unique("pvc-gfull"), size).VolumeId;
        var written = fixture.Controller.GetCapacity(new GetCapacityRequest()).AvailableCapacity * 3 / 4 / MiB * MiB;
        var published = new[] { first, second }.Select(volume => (Volume: volume, Paths: fixture.StageAndPublish(volume))).ToList();
        try
        {
            foreach (var (_, (_, target)) in published)
            {
                Fill(Path.Combine(target, "data"), written);
            }

            var refused = Expect.Status(StatusCode.ResourceExhausted, () => Create(fixture.Unique("groupsnapshot-full"), first, second));

            Assert.Contains("group snapshot", refused.Status.Detail, StringComparison.Ordinal);
            Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = first }).Entries);
            Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = second }).Entries);
        }
        finally
        {
            foreach (var (volume, (staging, target)) in published)
            {
                fixture.UnpublishAndUnstage(volume, staging, target);
            }
        }

        DeleteVolumes(first, second);
    }

    [RootFact]
    public void GetAnswersNotFoundForAnUnknownGroupAndInvalidArgumentForSnapshotsThatAreNotItsOwn()
    {
        var (first, second) = (CreateVolume("pvc-gget"), CreateVolume("pvc-gget"));
        var group = Create(fixture.Unique("groupsnapshot-get"), first, second);
        var ids = group.Snapshots.Select(snapshot => snapshot.SnapshotId).ToList();

        var got = fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId, SnapshotIds = { ids } }).GroupSnapshot;

        Assert.Equal(group, got);
        Expect.Status(StatusCode.NotFound, () => fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = "groupsnapshot-none" }));
        Expect.Status(StatusCode.NotFound, () => fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = "not a group id" }));
        Expect.Status(StatusCode.InvalidArgument, () => fixture.GroupController.GetVolumeGroupSnapshot(
            new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId, SnapshotIds = { ids[0], $"{first}@another" } }));
        Expect.Status(StatusCode.InvalidArgument, () => fixture.GroupController.GetVolumeGroupSnapshot(
            new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId, SnapshotIds = { ids[0], "garbage" } }));

        // A delete with a list that leaves a member out changes nothing.
        Expect.Status(StatusCode.InvalidArgument, () => fixture.GroupController.DeleteVolumeGroupSnapshot(
            new DeleteVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId, SnapshotIds = { ids[0] } }));
        Assert.Equal(2, fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId }).GroupSnapshot.Snapshots.Count);

        Delete(group);
        DeleteVolumes(first, second);
    }

    [RootFact]
    public void AGroupIsFoundAgainAfterTheDaemonRestarts()
    {
        var (first, second) = (CreateVolume("pvc-grestart"), CreateVolume("pvc-grestart"));
        var group = Create(fixture.Unique("groupsnapshot-restart"), first, second);

        fixture.Restart();
        var got = fixture.GroupController.GetVolumeGroupSnapshot(
            new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId, SnapshotIds = { group.Snapshots.Select(snapshot => snapshot.SnapshotId) } }).GroupSnapshot;
        var repeated = Create(group.GroupSnapshotId, first, second);

        Assert.Equal(group, got);
        Assert.Equal(group, repeated);

        Delete(group);
        DeleteVolumes(first, second);
    }

    [RootFact]
    public void MembersDeletedOneByOneLeaveTheGroupWithTheRestUntilTheLastTakesIt()
    {
        var (first, second) = (CreateVolume("pvc-gmember"), CreateVolume("pvc-gmember"));
        var group = Create(fixture.Unique("groupsnapshot-member"), first, second);
        var ids = group.Snapshots.Select(snapshot => snapshot.SnapshotId).Order(StringComparer.Ordinal).ToList();

        fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = ids[0] });
        var rest = fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId, SnapshotIds = { ids } }).GroupSnapshot;
        fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = ids[1] });

        Assert.Equal([ids[1]], rest.Snapshots.Select(snapshot => snapshot.SnapshotId));
        Assert.Equal(group.CreationTime, rest.CreationTime);
        Expect.Status(StatusCode.NotFound, () => fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId }));
        fixture.GroupController.DeleteVolumeGroupSnapshot(new DeleteVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId, SnapshotIds = { ids } });

        DeleteVolumes(first, second);
    }

    [RootFact]
    public void DeletingTheGroupDeletesEveryMemberAndARepeatSucceeds()
    {
        var (first, second) = (CreateVolume("pvc-gdelete"), CreateVolume("pvc-gdelete"));
        var group = Create(fixture.Unique("groupsnapshot-delete"), first, second);

        Delete(group);
        Delete(group);
        fixture.GroupController.DeleteVolumeGroupSnapshot(new DeleteVolumeGroupSnapshotRequest { GroupSnapshotId = "not a group id" });

        Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = first }).Entries);
        Assert.Empty(fixture.Controller.ListSnapshots(new ListSnapshotsRequest { SourceVolumeId = second }).Entries);
        Expect.Status(StatusCode.NotFound, () => fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId }));
        DeleteVolumes(first, second);
    }

    [RootFact]
    public void AGroupWhoseMemberIsInUseIsFailedPreconditionAndKeepsEveryMember()
    {
        var (first, second) = (CreateVolume("pvc-ginuse"), CreateVolume("pvc-ginuse"));
        var group = Create(fixture.Unique("groupsnapshot-inuse"), first, second);
        var member = group.Snapshots[0].SnapshotId;
        using (var pool = Pool.Open(fixture.PoolPath))
        {
            pool.Mount(member, at: null);
        }

        try
        {
            var refused = Expect.Status(StatusCode.FailedPrecondition, () => Delete(group));
            Assert.Contains(member, refused.Status.Detail, StringComparison.Ordinal);
            Assert.Equal(2, fixture.GroupController.GetVolumeGroupSnapshot(new GetVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId }).GroupSnapshot.Snapshots.Count);
        }
        finally
        {
            using var pool = Pool.Open(fixture.PoolPath);
            pool.Unmount(member);
        }

        Delete(group);
        DeleteVolumes(first, second);
    }

    /// <summary>
    /// A writer numbers its writes to a log volume and then a data volume, as a database writes its WAL before its
    /// tables: no group shows the data ahead of the log, while two snapshots taken one after the other do, so the test can fail.
    /// </summary>
    [RootFact]
    public void AGroupNeverShowsTheSecondVolumeAheadOfTheFirstWhereSnapshotsOneAfterTheOtherDo()
    {
        var log = fixture.CreateVolume(fixture.Unique("pvc-gwal"), 320 * MiB, "xfs", thin: true).VolumeId;
        var data = fixture.CreateVolume(fixture.Unique("pvc-gdb"), 320 * MiB, "xfs", thin: true).VolumeId;
        var (logStaging, logTarget) = fixture.StageAndPublish(log);
        var (dataStaging, dataTarget) = fixture.StageAndPublish(data);
        var taken = new List<string>();
        var groups = new List<VolumeGroupSnapshot>();
        var caughtBetween = 0;
        using (var writer = new SequenceWriter(Path.Combine(logTarget, "sequence"), Path.Combine(dataTarget, "sequence")))
        {
            Assert.True(Waiting.Eventually(() => writer.Written > 100, TimeSpan.FromSeconds(30)), "the writer never got going");
            for (var round = 0; round < Rounds; round++)
            {
                var before = writer.Written;
                var group = Create(fixture.Unique("groupsnapshot-writer"), log, data);
                groups.Add(group);
                var (logged, written) = (Read($"{log}@{group.GroupSnapshotId}"), Read($"{data}@{group.GroupSnapshotId}"));
                Assert.True(written <= logged, $"round {round}: the group shows the data volume at {written}, ahead of the log at {logged}");
                Assert.True(Waiting.Eventually(() => writer.Written > before + 10, TimeSpan.FromSeconds(30)), "the writer stopped making progress");

                var logApart = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-apart"), SourceVolumeId = log }).Snapshot.SnapshotId;
                var dataApart = fixture.Controller.CreateSnapshot(new CreateSnapshotRequest { Name = fixture.Unique("snapshot-apart"), SourceVolumeId = data }).Snapshot.SnapshotId;
                taken.AddRange([logApart, dataApart]);
                if (Read(dataApart) > Read(logApart))
                {
                    caughtBetween++;
                }
            }

            writer.Stop();
            Assert.Null(writer.Failure);
        }

        Assert.True(caughtBetween > 0, $"snapshots taken one after the other never caught the writer between the two volumes in {Rounds} rounds, so the group's check proves nothing");
        foreach (var group in groups)
        {
            Delete(group);
        }

        foreach (var id in taken)
        {
            fixture.Controller.DeleteSnapshot(new DeleteSnapshotRequest { SnapshotId = id });
        }

        fixture.UnpublishAndUnstage(log, logStaging, logTarget);
        fixture.UnpublishAndUnstage(data, dataStaging, dataTarget);
        DeleteVolumes(log, data);
    }

    private string CreateVolume(string prefix) => fixture.CreateVolume(fixture.Unique(prefix), 16 * MiB).VolumeId;

    private VolumeGroupSnapshot Create(string name, params string[] sources)
    {
        var request = new CreateVolumeGroupSnapshotRequest { Name = name, SourceVolumeIds = { sources } };

        // Secrets travel with requests; the daemon must neither need nor log them.
        request.Secrets["password"] = DaemonFixture.SecretValue;
        return fixture.GroupController.CreateVolumeGroupSnapshot(request).GroupSnapshot;
    }

    private void Delete(VolumeGroupSnapshot group) =>
        fixture.GroupController.DeleteVolumeGroupSnapshot(new DeleteVolumeGroupSnapshotRequest { GroupSnapshotId = group.GroupSnapshotId, SnapshotIds = { group.Snapshots.Select(snapshot => snapshot.SnapshotId) } });

    private void DeleteVolumes(params string[] volumes)
    {
        foreach (var volume in volumes)
        {
            fixture.Controller.DeleteVolume(new DeleteVolumeRequest { VolumeId = volume });
        }
    }

    /// <summary>Writes <paramref name="length"/> bytes that are not zero, and makes them durable.</summary>
    private static void Fill(string path, long length)
    {
        var chunk = new byte[4 * (int)MiB];
        Array.Fill(chunk, (byte)0x5a);
        using var file = new FileStream(path, FileMode.Create, FileAccess.Write);
        for (long done = 0; done < length; done += chunk.Length)
        {
            file.Write(chunk, 0, (int)Math.Min(chunk.Length, length - done));
        }

        file.Flush(flushToDisk: true);
    }

    /// <summary>The number a snapshot's copy of the writer's file holds, read from the snapshot mounted read-only.</summary>
    private long Read(string snapshotId)
    {
        var at = fixture.NewPath("read");
        using var pool = Pool.Open(fixture.PoolPath);
        pool.Mount(snapshotId, at);
        try
        {
            return BinaryPrimitives.ReadInt64LittleEndian(File.ReadAllBytes(Path.Combine(at, "sequence")));
        }
        finally
        {
            pool.Unmount(snapshotId);
        }
    }
}
