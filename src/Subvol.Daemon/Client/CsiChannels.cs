using System.Net.Sockets;
using Grpc.Net.Client;

namespace Subvol.Daemon.Client;

/// <summary>gRPC channels to a subvold: on its Unix socket, as the sidecars reach it.</summary>
internal static class CsiChannels
{
    /// <summary>A channel whose every connection is the Unix socket at <paramref name="socketPath"/>; HTTP/2 needs an address, which is only a name here.</summary>
    public static GrpcChannel ForUnixSocket(string socketPath)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await socket.ConnectAsync(new UnixDomainSocketEndPoint(socketPath), cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        return GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler, MaxReceiveMessageSize = null });
    }
}
