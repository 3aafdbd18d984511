using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Csi;
using Subvol.Daemon.Errors;
using Subvol.Daemon.Logging;
using RpcType = Csi.V1.NodeServiceCapability.Types.RPC.Types.Type;

namespace Subvol.Daemon.Services;

/// <summary>
/// CSI Node: stage mounts the subvolume (or attaches its loop device, for a block volume) at the
/// staging path; publish bind-mounts that onto the target path. Every step is idempotent, and its
/// state is read back from the kernel each time, so a restarted daemon picks up where it was.
/// </summary>
internal sealed class NodeService(DaemonOptions options, PoolGate gate, ILogger<NodeService> logger) : Node.NodeBase
{
    private static readonly RpcType[] Capabilities = [RpcType.StageUnstageVolume, RpcType.GetVolumeStats, RpcType.ExpandVolume];

    public override Task<NodeGetCapabilitiesResponse> NodeGetCapabilities(NodeGetCapabilitiesRequest request, ServerCallContext context)
    {
        var response = new NodeGetCapabilitiesResponse();
        response.Capabilities.AddRange(Capabilities.Select(type => new NodeServiceCapability { Rpc = new NodeServiceCapability.Types.RPC { Type = type } }));
        return Task.FromResult(response);
    }

    public override Task<NodeGetInfoResponse> NodeGetInfo(NodeGetInfoRequest request, ServerCallContext context) =>
        Task.FromResult(new NodeGetInfoResponse { NodeId = options.NodeId, AccessibleTopology = NodeTopology.For(options.NodeId) });

    public override async Task<NodeStageVolumeResponse> NodeStageVolume(NodeStageVolumeRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        Require(request.StagingTargetPath, "staging_target_path");
        var capability = RequireCapability(request.VolumeCapability);
        var outcome = await gate.Run(pool =>
        {
            var volume = RequireVolume(pool, request.VolumeId);
            CheckCapability(capability, volume);
            var readOnly = VolumeCapabilities.IsReadOnlyMode(capability);
            if (capability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block)
            {
                return pool.Attach(volume.Name, readOnly).Outcome;
            }

            IReadOnlyList<string> flags = readOnly ? [.. capability.Mount.MountFlags, "ro"] : capability.Mount.MountFlags;
            return pool.MountAt(volume.Name, request.StagingTargetPath, flags).Outcome;
        }, context.CancellationToken);
        logger.VolumeStaged(request.VolumeId, request.StagingTargetPath, outcome);
        return new NodeStageVolumeResponse();
    }

    public override async Task<NodeUnstageVolumeResponse> NodeUnstageVolume(NodeUnstageVolumeRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        Require(request.StagingTargetPath, "staging_target_path");
        var outcome = await gate.Run(pool =>
        {
            var volume = RequireVolume(pool, request.VolumeId);
            var unmounted = pool.UnmountAt(volume.Name, request.StagingTargetPath, removeLeftover: false);

            // A block volume was staged by attaching its loop device; a mounted one's device goes with its last unmount.
            var detached = pool.Detach(volume.Name);
            return unmounted == Outcome.Deleted || detached == Outcome.Deleted ? Outcome.Deleted : Outcome.AlreadyGone;
        }, context.CancellationToken);
        logger.VolumeUnstaged(request.VolumeId, request.StagingTargetPath, outcome);
        return new NodeUnstageVolumeResponse();
    }

    public override async Task<NodePublishVolumeResponse> NodePublishVolume(NodePublishVolumeRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        Require(request.TargetPath, "target_path");
        var capability = RequireCapability(request.VolumeCapability);
        if (string.IsNullOrEmpty(request.StagingTargetPath))
        {
            throw ErrorStatus.FailedPrecondition("staging_target_path is required: this driver stages volumes (STAGE_UNSTAGE_VOLUME) before publishing them");
        }

        var readOnly = request.Readonly || VolumeCapabilities.IsReadOnlyMode(capability);
        var outcome = await gate.Run(pool =>
        {
            var volume = RequireVolume(pool, request.VolumeId);
            CheckCapability(capability, volume);
            if (capability.AccessTypeCase == VolumeCapability.AccessTypeOneofCase.Block)
            {
                if (pool.FindAttachedDevice(volume.Name) is null)
                {
                    throw ErrorStatus.FailedPrecondition($"volume {volume.Name} is not staged as a block device; stage it first");
                }

                // A read-only bind mount does not stop writes through a device node; only a read-only loop device does.
                if (request.Readonly && !VolumeCapabilities.IsReadOnlyMode(capability))
                {
                    throw ErrorStatus.FailedPrecondition("a raw block volume is published read-only only when staged with access mode SINGLE_NODE_READER_ONLY");
                }

                return pool.BindDevice(volume.Name, request.TargetPath).Outcome;
            }

            if (!pool.IsMountedAt(volume.Name, request.StagingTargetPath))
            {
                throw ErrorStatus.FailedPrecondition($"volume {volume.Name} is not staged at {request.StagingTargetPath}; stage it first");
            }

            return pool.BindMount(volume.Name, request.StagingTargetPath, request.TargetPath, readOnly).Outcome;
        }, context.CancellationToken);
        logger.VolumePublished(request.VolumeId, request.TargetPath, readOnly, outcome);
        return new NodePublishVolumeResponse();
    }

    public override async Task<NodeUnpublishVolumeResponse> NodeUnpublishVolume(NodeUnpublishVolumeRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        Require(request.TargetPath, "target_path");
        var outcome = await gate.Run(
            pool => pool.UnmountAt(RequireVolume(pool, request.VolumeId).Name, request.TargetPath, removeLeftover: true),
            context.CancellationToken);
        logger.VolumeUnpublished(request.VolumeId, request.TargetPath, outcome);
        return new NodeUnpublishVolumeResponse();
    }

    public override async Task<NodeGetVolumeStatsResponse> NodeGetVolumeStats(NodeGetVolumeStatsRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        Require(request.VolumePath, "volume_path");
        var usage = await gate.Run(pool => pool.Measure(RequireVolume(pool, request.VolumeId).Name, request.VolumePath), context.CancellationToken);
        var response = new NodeGetVolumeStatsResponse();
        response.Usage.Add(new VolumeUsage
        {
            Unit = VolumeUsage.Types.Unit.Bytes,
            Total = usage.TotalBytes,
            Available = usage.AvailableBytes ?? 0,
            Used = usage.UsedBytes ?? 0,
        });
        if (usage.TotalInodes is { } inodes)
        {
            var free = usage.FreeInodes ?? 0;
            response.Usage.Add(new VolumeUsage { Unit = VolumeUsage.Types.Unit.Inodes, Total = inodes, Available = free, Used = inodes - free });
        }

        return response;
    }

    public override async Task<NodeExpandVolumeResponse> NodeExpandVolume(NodeExpandVolumeRequest request, ServerCallContext context)
    {
        Require(request.VolumeId, "volume_id");
        Require(request.VolumePath, "volume_path");
        var (outcome, volume) = await gate.Run(pool =>
        {
            var volume = RequireVolume(pool, request.VolumeId);

            // The path must show this volume (NOT_FOUND otherwise, as for stats).
            pool.Measure(volume.Name, request.VolumePath);
            if (request.CapacityRange is null || request.CapacityRange.RequiredBytes <= volume.Size)
            {
                return (Outcome.Unchanged, volume);
            }

            var grown = pool.Grow(volume.Name, Capacity.Resolve(request.CapacityRange, volume.FileSystem, floor: volume.Size));
            return (grown.Outcome, grown.Value);
        }, context.CancellationToken);
        logger.VolumeExpanded(volume.Name, outcome, volume.Size);
        return new NodeExpandVolumeResponse { CapacityBytes = volume.Size };
    }

    private static SubvolumeInfo RequireVolume(Pool pool, string volumeId) =>
        (VolumeNames.ParseVolumeId(volumeId) is { } name ? pool.FindSubvolume(name) : null)
        ?? throw ErrorStatus.NotFound($"no volume {volumeId} in pool {pool.Path} on this node");

    private static VolumeCapability RequireCapability(VolumeCapability? capability) =>
        capability ?? throw ErrorStatus.Missing("volume_capability");

    private static void CheckCapability(VolumeCapability capability, SubvolumeInfo volume)
    {
        if (VolumeCapabilities.Problem(capability, volume.FileSystem) is { } problem)
        {
            throw ErrorStatus.Invalid(problem);
        }
    }

    private static void Require(string value, string field)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw ErrorStatus.Missing(field);
        }
    }
}
