using Csi.V1;
using Grpc.Core;
using Subvol.Daemon.Errors;
using Subvol.Daemon.Logging;

namespace Subvol.Daemon.Peers;

/// <summary>
/// The SnapshotMetadataService resource names one endpoint for the whole driver, while each node's subvold holds only
/// its own pool. A request for a snapshot of a volume this node does not hold goes to the other nodes' subvold in turn:
/// the first that knows the snapshot answers, and its stream (or its error) is relayed as it comes.
/// </summary>
internal sealed class PeerForwarding(DaemonOptions options, PeerChannels peers, ILogger<PeerForwarding> logger)
{
    /// <summary>
    /// Whether a request came from another node's subvold. It is answered from this node's pool alone, so two nodes
    /// never pass a request back and forth.
    /// </summary>
    public bool FromPeer(ServerCallContext context) =>
        options.PeerListenAddress is { } listen && context.GetHttpContext().Connection.LocalPort == listen.Port;

    public async Task Forward<TResponse>(
        string snapshotId,
        Func<SnapshotMetadata.SnapshotMetadataClient, CancellationToken, AsyncServerStreamingCall<TResponse>> call,
        IServerStreamWriter<TResponse> responseStream,
        CancellationToken cancellationToken)
    {
        if (!peers.Any)
        {
            throw ErrorStatus.NotFound(
                $"node {options.NodeId} holds no volume of snapshot '{snapshotId}'; subvold answers for its own node's pool, and for the other nodes only when given them with --peer");
        }

        var unreachable = new List<string>();
        foreach (var (node, client) in peers.Clients)
        {
            using var forwarded = call(client, cancellationToken);
            bool any;
            try
            {
                any = await forwarded.ResponseStream.MoveNext(cancellationToken);
            }
            catch (RpcException exception) when (exception.StatusCode == StatusCode.NotFound)
            {
                continue;
            }
            catch (RpcException exception) when (exception.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
            {
                // Unreachable, or refused at TLS: the snapshot may still be there, so the answer cannot be NOT_FOUND.
                logger.PeerUnreachable(node, snapshotId, exception.StatusCode, exception.Status.Detail);
                unreachable.Add(node);
                continue;
            }
            catch (RpcException exception)
            {
                throw OnNode(node, exception);
            }

            logger.Forwarded(snapshotId, node);
            try
            {
                for (; any; any = await forwarded.ResponseStream.MoveNext(cancellationToken))
                {
                    await responseStream.WriteAsync(forwarded.ResponseStream.Current, cancellationToken);
                }
            }
            catch (RpcException exception)
            {
                throw OnNode(node, exception);
            }

            return;
        }

        if (unreachable.Count > 0)
        {
            throw ErrorStatus.Unavailable(
                $"node {options.NodeId} holds no volume of snapshot '{snapshotId}', no reachable peer does, and node(s) {string.Join(", ", unreachable)} could not be asked");
        }

        throw ErrorStatus.NotFound(
            $"no node holds snapshot '{snapshotId}': not this node ({options.NodeId}) nor {string.Join(", ", peers.Clients.Select(peer => peer.Node))}");
    }

    /// <summary>A peer's error, as the client should see it: its code, and which node said it.</summary>
    private static RpcException OnNode(string node, RpcException exception) =>
        new(new Status(exception.StatusCode, $"node {node}: {exception.Status.Detail}"));
}
