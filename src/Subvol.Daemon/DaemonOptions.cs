namespace Subvol.Daemon;

/// <summary>Which CSI services one subvold process serves.</summary>
internal enum ServiceMode
{
    All,
    Controller,
    Node,
}

/// <summary>The command line of subvold: where to listen, which pool, which node, which services.</summary>
internal sealed record DaemonOptions(string SocketPath, string PoolPath, string NodeId, ServiceMode Mode)
{
    public const string Usage =
        "usage: subvold --pool PATH [--endpoint unix:///PATH/csi.sock] [--node-id ID] [--mode controller|node|all]\n" +
        "  --endpoint   the Unix socket to serve CSI on; default $CSI_ENDPOINT\n" +
        "  --pool       the Subvol pool that holds this node's volumes\n" +
        "  --node-id    this node's name, the one topology segment; default the host name\n" +
        "  --mode       the CSI services to serve; default all";

    public bool ServesController => Mode is ServiceMode.All or ServiceMode.Controller;

    public bool ServesNode => Mode is ServiceMode.All or ServiceMode.Node;

    /// <summary>Parses the arguments; throws ArgumentException with a message for the person who typed them.</summary>
    public static DaemonOptions Parse(IReadOnlyList<string> args, string? endpointVariable, string hostName)
    {
        string? endpoint = endpointVariable;
        string? pool = null;
        var nodeId = hostName;
        var mode = ServiceMode.All;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = args[i].IndexOf('=') is var equals and > 0 ? (args[i][..equals], args[i][(equals + 1)..]) : (args[i], null);
            string Value() => inlineValue ?? (i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value"));
            switch (name)
            {
                case "--endpoint":
                    endpoint = Value();
                    break;
                case "--pool":
                    pool = Value();
                    break;
                case "--node-id":
                    nodeId = Value();
                    break;
                case "--mode":
                    var text = Value();
                    mode = text switch
                    {
                        "all" => ServiceMode.All,
                        "controller" => ServiceMode.Controller,
                        "node" => ServiceMode.Node,
                        _ => throw new ArgumentException($"--mode must be controller, node or all, not '{text}'"),
                    };
                    break;
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

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

        return new DaemonOptions(SocketPathOf(endpoint), Path.GetFullPath(pool), nodeId, mode);
    }

    /// <summary>unix:///run/csi.sock, unix:/run/csi.sock or /run/csi.sock: the path of the socket.</summary>
    private static string SocketPathOf(string endpoint)
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
