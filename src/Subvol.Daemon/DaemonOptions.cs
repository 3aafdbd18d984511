namespace Subvol.Daemon;

/// <summary>Which CSI services one subvold process serves.</summary>
internal enum ServiceMode
{
    All,
    Controller,
    Node,
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
    public bool ServesController => Mode is ServiceMode.All or ServiceMode.Controller;

    public bool ServesNode => Mode is ServiceMode.All or ServiceMode.Node;

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
