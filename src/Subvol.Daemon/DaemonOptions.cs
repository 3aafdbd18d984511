using System.Globalization;
using System.Net;

namespace Subvol.Daemon;

/// <summary>Which CSI services one subvold process serves.</summary>
internal enum ServiceMode
{
    All,
    Controller,
    Node,

    /// <summary>
    /// What csi-resizer calls, and no more: the plugin capability CONTROLLER_SERVICE (without which it exits), a
    /// Controller offering only ControllerModifyVolume, and the Node service's EXPAND_VOLUME, which makes it expand
    /// through the node that holds the volume.
    /// </summary>
    Resizer,
}

/// <summary>How subvold writes its log lines: one JSON object a line for a log collector, or plain text for a person.</summary>
internal enum LogFormat
{
    Text,
    Json,
}

/// <summary>The command line of subvold: where to listen, which pool, which node, which services, how to log.</summary>
internal sealed record DaemonOptions(string SocketPath, string PoolPath, string NodeId, ServiceMode Mode, LogFormat LogFormat = LogFormat.Text, LogLevel LogLevel = LogLevel.Information)
{
    /// <summary>Where to serve Prometheus metrics over HTTP; null serves none.</summary>
    public IPEndPoint? MetricsAddress { get; init; }

    /// <summary>Where to serve SnapshotMetadata to the other nodes' subvold, over mutual TLS; null serves none.</summary>
    public IPEndPoint? PeerListenAddress { get; init; }

    /// <summary>The other nodes' subvold by node name, asked for a snapshot this node's pool does not hold.</summary>
    public IReadOnlyDictionary<string, Uri> Peers { get; init; } = new Dictionary<string, Uri>();

    /// <summary>This node's certificate and key, and the CA every peer's certificate must chain to; null without peers.</summary>
    public PeerTlsFiles? PeerTls { get; init; }

    /// <summary>
    /// NODE=https://HOST:PORT, as many as given; this node's own name is left out, so that every node can be given
    /// the same list. Throws ArgumentException naming the option.
    /// </summary>
    public static IReadOnlyDictionary<string, Uri> PeersOf(IEnumerable<string> peers, string nodeId)
    {
        var result = new Dictionary<string, Uri>(StringComparer.Ordinal);
        foreach (var peer in peers)
        {
            var equals = peer.IndexOf('=');
            var node = equals < 0 ? "" : peer[..equals];
            if (node.Length == 0 || !Uri.TryCreate(peer[(equals + 1)..], UriKind.Absolute, out var address) || address.Scheme != Uri.UriSchemeHttps || address.AbsolutePath != "/")
            {
                throw new ArgumentException($"--peer must be NODE=https://HOST:PORT, such as node-b=https://10.0.0.2:9820, not '{peer}'");
            }

            if (!result.TryAdd(node, address) && result[node] != address)
            {
                throw new ArgumentException($"--peer names node '{node}' twice, with different addresses");
            }
        }

        result.Remove(nodeId);
        return result;
    }

    public bool ServesController => Mode is ServiceMode.All or ServiceMode.Controller;

    public bool ServesNode => Mode is ServiceMode.All or ServiceMode.Node or ServiceMode.Resizer;

    /// <summary>Whether the plugin says it has a Controller service: the whole one, or the part csi-resizer calls.</summary>
    public bool AdvertisesController => ServesController || Mode is ServiceMode.Resizer;

    /// <summary>The options from what was parsed; throws ArgumentException with a message for the person who typed them.</summary>
    public static DaemonOptions From(string? endpoint, string? pool, string? nodeId, ServiceMode mode, LogFormat logFormat, LogLevel logLevel)
    {
        if (string.IsNullOrEmpty(endpoint))
        {
            throw new ArgumentException("no endpoint: give --endpoint unix:///PATH/csi.sock or set CSI_ENDPOINT");
        }

        if (string.IsNullOrEmpty(pool))
        {
            throw new ArgumentException("no pool: give --pool PATH");
        }

        if (string.IsNullOrWhiteSpace(nodeId))
        {
            throw new ArgumentException("--node-id cannot be empty");
        }

        return new DaemonOptions(SocketPathOf(endpoint), Path.GetFullPath(pool), nodeId, mode, logFormat, logLevel);
    }

    /// <summary>
    /// HOST:PORT, where HOST is an IP address ([::1] for IPv6), localhost, or empty for every address (":9810");
    /// throws ArgumentException naming the option.
    /// </summary>
    public static IPEndPoint MetricsEndPointOf(string address) => EndPointOf("--metrics-address", address);

    /// <summary>HOST:PORT as <see cref="MetricsEndPointOf"/> reads it, for the option named <paramref name="option"/>.</summary>
    public static IPEndPoint EndPointOf(string option, string address)
    {
        var colon = address.LastIndexOf(':');
        var host = colon < 0 ? "" : address[..colon];
        var portText = colon < 0 ? "" : address[(colon + 1)..];
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            throw new ArgumentException($"{option} must be HOST:PORT with a port from 1 to 65535, such as 127.0.0.1:9810 or :9810, not '{address}'");
        }

        if (host.Length == 0)
        {
            return new IPEndPoint(IPAddress.IPv6Any, port);
        }

        if (host == "localhost")
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        return IPAddress.TryParse(host.Trim('[', ']'), out var ip)
            ? new IPEndPoint(ip, port)
            : throw new ArgumentException($"{option} needs an IP address or localhost as its host, not '{host}'");
    }

    /// <summary>unix:///run/csi.sock, unix:/run/csi.sock or /run/csi.sock: the path of the socket.</summary>
    public static string SocketPathOf(string endpoint)
    {
        var path = endpoint.StartsWith("unix://", StringComparison.Ordinal) ? endpoint["unix://".Length..]
            : endpoint.StartsWith("unix:", StringComparison.Ordinal) ? endpoint["unix:".Length..]
            : endpoint;
        if (!path.StartsWith('/'))
        {
            throw new ArgumentException($"endpoint '{endpoint}' is not a Unix socket path such as unix:///csi/csi.sock");
        }

        return path;
    }
}
