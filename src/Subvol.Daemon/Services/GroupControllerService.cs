using Csi.V1;
using Google.Protobuf.Collections;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Subvol.Daemon.Csi;
using Subvol.Daemon.Errors;
using Subvol.Daemon.Logging;
using RpcType = Csi.V1.GroupControllerServiceCapability.Types.RPC.Types.Type;

namespace Subvol.Daemon.Services;

/// <summary>
/// CSI GroupController: snapshots of several volumes of this node's pool at one instant. The group's ID is its
/// name, and each member's snapshot ID is VOLUME@GROUP, so a restarted daemon finds both again in the pool.
/// </summary>
internal sealed class GroupControllerService(DaemonOptions options, PoolGate gate, ILogger<GroupControllerService> logger) : GroupController.GroupControllerBase
{
    public override Task<GroupControllerGetCapabilitiesResponse> GroupControllerGetCapabilities(GroupControllerGetCapabilitiesRequest request, ServerCallContext context) =>
        Task.FromResult(new GroupControllerGetCapabilitiesResponse
        {
            Capabilities =
            {
                new GroupControllerServiceCapability { Rpc = new GroupControllerServiceCapability.Types.RPC { Type = RpcType.CreateDeleteGetVolumeGroupSnapshot } },
            },
        });

    public override async Task<CreateVolumeGroupSnapshotResponse> CreateVolumeGroupSnapshot(CreateVolumeGroupSnapshotRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.Name))
        {
            throw ErrorStatus.Missing("name");
        }

        if (request.SourceVolumeIds.Count == 0 || request.SourceVolumeIds.Any(string.IsNullOrEmpty))
        {
            throw ErrorStatus.Missing("source_volume_ids");
        }

        var name = VolumeNames.Snapshot(request.Name);
        var sources = request.SourceVolumeIds.ToList();
        var (outcome, group) = await gate.Run(pool =>
        {
            // A repeat finds its group even if a source has gone since; only a new group needs all its volumes here.
            if (pool.FindSnapshotGroup(name) is null)
            {
                var elsewhere = sources.Where(source => VolumeNames.ParseVolumeId(source) is not { } volume || pool.FindSubvolume(volume) is null).Distinct(StringComparer.Ordinal).ToList();
                if (elsewhere.Count > 0)
                {
                    throw ErrorStatus.FailedPrecondition(
                        $"node {options.NodeId} does not hold source volume {string.Join(", ", elsewhere)}: volumes are node-local and a group snapshot is taken by the one node " +
                        "that holds all of its volumes, so put the group's volumes on one node (or leave this one out)");
                }
            }

            return pool.EnsureSnapshotGroup(name, sources, IdentityService.DriverName);
        }, context.CancellationToken);
        logger.GroupSnapshotCreated(group.Name, outcome, group.Snapshots.Count);
        return new CreateVolumeGroupSnapshotResponse { GroupSnapshot = Describe(group) };
    }

    public override async Task<DeleteVolumeGroupSnapshotResponse> DeleteVolumeGroupSnapshot(DeleteVolumeGroupSnapshotRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.GroupSnapshotId))
        {
            throw ErrorStatus.Missing("group_snapshot_id");
        }

        var expected = Members(request.SnapshotIds, request.GroupSnapshotId);
        var outcome = await gate.Run(pool =>
        {
            // A group without its record (the pool's database rebuilt from the images) still deletes its members, if they are ours.
            var creators = pool.FindSnapshotGroup(request.GroupSnapshotId) is { } group
                ? [group.Creator]
                : expected.Where(reference => reference.Snapshot == request.GroupSnapshotId).SelectMany(reference => pool.FindSnapshots(reference.Subvolume, reference.Snapshot)).Select(snapshot => snapshot.Creator);
            if (creators.Any(creator => creator != IdentityService.DriverName))
            {
                throw ErrorStatus.FailedPrecondition(
                    $"group snapshot {request.GroupSnapshotId} was not created by the CSI driver {IdentityService.DriverName}, so the driver does not delete it; " +
                    $"if it is no longer needed, destroy its snapshots by hand on node {options.NodeId} with 'subvol destroy', and the deletion then succeeds");
            }

            return pool.DestroySnapshotGroup(request.GroupSnapshotId, expected);
        }, context.CancellationToken);
        logger.GroupSnapshotDeleted(request.GroupSnapshotId, outcome);
        return new DeleteVolumeGroupSnapshotResponse();
    }

    public override async Task<GetVolumeGroupSnapshotResponse> GetVolumeGroupSnapshot(GetVolumeGroupSnapshotRequest request, ServerCallContext context)
    {
        if (string.IsNullOrEmpty(request.GroupSnapshotId))
        {
            throw ErrorStatus.Missing("group_snapshot_id");
        }

        var expected = Members(request.SnapshotIds, request.GroupSnapshotId);
        var group = await gate.Run(pool => pool.FindSnapshotGroup(request.GroupSnapshotId, expected), context.CancellationToken)
            ?? throw ErrorStatus.NotFound($"no group snapshot {request.GroupSnapshotId} in pool {gate.PoolPath} of node {options.NodeId}");
        return new GetVolumeGroupSnapshotResponse { GroupSnapshot = Describe(group) };
    }

    /// <summary>The snapshot IDs a caller says the group holds; one that could name no snapshot of this driver cannot be in it.</summary>
    private static List<SnapshotReference> Members(RepeatedField<string> snapshotIds, string groupId) =>
        snapshotIds.Select(id => VolumeNames.ParseSnapshotId(id)
            ?? throw ErrorStatus.Invalid($"snapshot_ids names '{id}', which is not in group snapshot {groupId} (this driver's snapshot IDs are VOLUME@SNAPSHOT)")).ToList();

    private static VolumeGroupSnapshot Describe(SnapshotGroupInfo group) => new()
    {
        GroupSnapshotId = group.Name,
        Snapshots = { group.Snapshots.Select(ControllerService.Describe) },
        CreationTime = Timestamp.FromDateTimeOffset(group.Created),

        // A reflink clone is whole when it is published: every member is ready as soon as the group is cut.
        ReadyToUse = true,
    };
}
