using Csi.V1;
using Grpc.Core;
using Subvol.ChangedBlocks;
using Subvol.Daemon.Csi;
using Subvol.Daemon.Errors;
using Subvol.Daemon.Peers;

namespace Subvol.Daemon.Services;

/// <summary>
/// CSI SnapshotMetadata (changed-block tracking, KEP-3314): the ranges of a snapshot that hold data, and those that
/// changed between two snapshots, as the engine reads them from the extent maps, streamed in pages. The pool is held
/// only while the request is checked and the images are opened; the ranges are read as the client takes them. A
/// snapshot of a volume this node does not hold is asked of the other nodes (PeerForwarding).
/// </summary>
internal sealed class SnapshotMetadataService(PoolGate pool, PeerForwarding peers) : SnapshotMetadata.SnapshotMetadataBase
{
    /// <summary>
    /// Tuples a message carries when the client leaves max_results at 0. A tuple takes at most 24 bytes on the
    /// wire (two tags, a length and two ten-byte varints), so a full page stays far below gRPC's 4 MiB message limit.
    /// </summary>
    public const int DefaultMaxResults = 65536;

    public override async Task GetMetadataAllocated(GetMetadataAllocatedRequest request, IServerStreamWriter<GetMetadataAllocatedResponse> responseStream, ServerCallContext context)
    {
        var snapshot = SnapshotOf(request.SnapshotId, "snapshot_id");
        var maxResults = MaxResultsOf(request.MaxResults);
        var fromPeer = peers.FromPeer(context);
        var local = await pool.Run(opened => Held(opened, snapshot, fromPeer) ? opened.AllocatedBlocks(snapshot, request.StartingOffset) : null, context.CancellationToken);
        if (local is null)
        {
            await peers.Forward(request.SnapshotId, (client, cancellation) => client.GetMetadataAllocated(request, cancellationToken: cancellation), responseStream, context.CancellationToken);
            return;
        }

        using var blocks = local;
        await Stream(blocks, maxResults, context.CancellationToken, page =>
        {
            var response = new GetMetadataAllocatedResponse { BlockMetadataType = BlockMetadataType.VariableLength, VolumeCapacityBytes = blocks.VolumeSize };
            response.BlockMetadata.AddRange(page);
            return responseStream.WriteAsync(response, context.CancellationToken);
        });
    }

    public override async Task GetMetadataDelta(GetMetadataDeltaRequest request, IServerStreamWriter<GetMetadataDeltaResponse> responseStream, ServerCallContext context)
    {
        var baseline = SnapshotOf(request.BaseSnapshotId, "base_snapshot_id");
        var target = SnapshotOf(request.TargetSnapshotId, "target_snapshot_id");
        var maxResults = MaxResultsOf(request.MaxResults);
        var fromPeer = peers.FromPeer(context);
        var local = await pool.Run(opened => Held(opened, target, fromPeer) ? opened.ChangedBlocks(baseline, target, request.StartingOffset) : null, context.CancellationToken);
        if (local is null)
        {
            await peers.Forward(request.TargetSnapshotId, (client, cancellation) => client.GetMetadataDelta(request, cancellationToken: cancellation), responseStream, context.CancellationToken);
            return;
        }

        using var blocks = local;
        await Stream(blocks, maxResults, context.CancellationToken, page =>
        {
            var response = new GetMetadataDeltaResponse { BlockMetadataType = BlockMetadataType.VariableLength, VolumeCapacityBytes = blocks.VolumeSize };
            response.BlockMetadata.AddRange(page);
            return responseStream.WriteAsync(response, context.CancellationToken);
        });
    }

    /// <summary>Whether this node answers for the snapshot: its pool holds the volume, or another node forwarded the request, which is answered here or nowhere.</summary>
    private static bool Held(Pool opened, SnapshotReference snapshot, bool fromPeer) => fromPeer || opened.FindSubvolume(snapshot.Subvolume) is not null;

    /// <summary>An ID that cannot name a snapshot names none: NOT_FOUND, as the spec's table says for an invalid ID.</summary>
    private static SnapshotReference SnapshotOf(string id, string field)
    {
        if (string.IsNullOrEmpty(id))
        {
            throw ErrorStatus.Missing(field);
        }

        return VolumeNames.ParseSnapshotId(id) ?? throw ErrorStatus.NotFound($"no snapshot has the ID '{id}' ({field}); subvold's snapshot IDs are VOLUME@SNAPSHOT");
    }

    private static int MaxResultsOf(int maxResults) =>
        maxResults switch
        {
            < 0 => throw ErrorStatus.Invalid($"max_results cannot be negative ({maxResults})"),
            0 => DefaultMaxResults,
            _ => Math.Min(maxResults, DefaultMaxResults),
        };

    /// <summary>
    /// Sends the ranges a page at a time, and at least one page, so that a client always learns the volume's capacity;
    /// each page is read off the request thread, since reading a map is a system call.
    /// </summary>
    private static async Task Stream(SnapshotBlocks blocks, int maxResults, CancellationToken cancellationToken, Func<List<BlockMetadata>, Task> send)
    {
        using var ranges = blocks.Ranges.GetEnumerator();
        var first = true;
        while (true)
        {
            var page = await Task.Run(() => NextPage(ranges, maxResults), cancellationToken);
            if (page.Count > 0 || first)
            {
                await send(page);
            }

            first = false;
            if (page.Count < maxResults)
            {
                return;
            }
        }
    }

    private static List<BlockMetadata> NextPage(IEnumerator<BlockRange> ranges, int maxResults)
    {
        var page = new List<BlockMetadata>(Math.Min(maxResults, 1024));
        while (page.Count < maxResults && ranges.MoveNext())
        {
            page.Add(new BlockMetadata { ByteOffset = ranges.Current.Offset, SizeBytes = ranges.Current.Length });
        }

        return page;
    }
}
