using Csi.V1;
using Grpc.Net.Client;

namespace Subvol.Daemon.Peers;

/// <summary>One gRPC channel to each other node's subvold, over mutual TLS, kept for the daemon's life.</summary>
internal sealed class PeerChannels : IDisposable
{
    private readonly Dictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);

    public PeerChannels(DaemonOptions options, PeerTrust? trust)
    {
        foreach (var (node, address) in options.Peers.OrderBy(peer => peer.Key, StringComparer.Ordinal))
        {
            var handler = new SocketsHttpHandler
            {
                SslOptions =
                {
                    ClientCertificates = [trust!.Certificate],
                    RemoteCertificateValidationCallback = trust.AcceptsServer,
                },
                // A peer that went away is found again when it comes back.
                PooledConnectionIdleTimeout = TimeSpan.FromMinutes(1),
                ConnectTimeout = TimeSpan.FromSeconds(10),
            };
            _channels[node] = GrpcChannel.ForAddress(address, new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = null });
        }
    }

    public bool Any => _channels.Count > 0;

    /// <summary>Every peer by node name, in a fixed order.</summary>
    public IEnumerable<(string Node, SnapshotMetadata.SnapshotMetadataClient Client)> Clients =>
        _channels.Select(entry => (entry.Key, new SnapshotMetadata.SnapshotMetadataClient(entry.Value)));

    public void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
    }
}
