using System.CommandLine;
using Subvol.Errors;

namespace Subvol.Daemon;

/// <summary>
/// subvold's options, parsed by System.CommandLine as subvol's are: --help and --version come with it,
/// and a bad command line is one error line and exit code 2.
/// </summary>
internal static class DaemonCommandLine
{
    private static readonly Option<string?> Endpoint = new("--endpoint")
    {
        Description = "The Unix socket to serve CSI on (default: $CSI_ENDPOINT)",
        HelpName = "unix:///PATH/csi.sock",
    };

    private static readonly Option<string?> Pool = new("--pool")
    {
        Description = "The Subvol pool that holds this node's volumes",
        HelpName = "PATH",
    };

    private static readonly Option<string?> NodeId = new("--node-id")
    {
        Description = "This node's name, the one topology segment (default: the host name)",
        HelpName = "ID",
    };

    private static readonly Option<string?> MetricsAddress = new("--metrics-address")
    {
        Description = "Serve Prometheus metrics at http://HOST:PORT/metrics (default: none); an empty HOST is every address",
        HelpName = "HOST:PORT",
    };

    private static readonly Option<string[]> Peer = new("--peer")
    {
        Description = "Another node's subvold, asked for a snapshot this node's pool does not hold (repeat for each node; this node's own entry is skipped)",
        HelpName = "NODE=https://HOST:PORT",
        AllowMultipleArgumentsPerToken = false,
    };

    private static readonly Option<string?> PeerListen = new("--peer-listen")
    {
        Description = "Serve SnapshotMetadata to the other nodes' subvold at HOST:PORT, over TLS with client certificates (default: none)",
        HelpName = "HOST:PORT",
    };

    private static readonly Option<string?> PeerCertificate = new("--peer-certificate") { Description = "This node's PEM certificate for peers", HelpName = "FILE" };

    private static readonly Option<string?> PeerKey = new("--peer-key") { Description = "The PEM private key of --peer-certificate", HelpName = "FILE" };

    private static readonly Option<string?> PeerCa = new("--peer-ca") { Description = "The PEM CA every peer's certificate must be signed by", HelpName = "FILE" };

    private static readonly Option<string> Mode = Choice(
        "--mode", "The CSI services to serve; resizer serves only what the one cluster-wide csi-resizer calls", "all", "all", "controller", "node", "resizer");

    private static readonly Option<string> LogFormatOption = Choice("--log-format", "How log lines are written: json, one object a line for a log collector, or text", "text", "json", "text");

    private static readonly Option<string> LogLevelOption = Choice("--log-level", "The least severe log lines written", "information", "trace", "debug", "information", "warning", "error");

    /// <summary>Parses args; returns the options to run with, or the exit code when there is nothing to run (help, version, a bad command line).</summary>
    public static (DaemonOptions? Options, int ExitCode) Parse(string[] args, string? endpointVariable, string hostName, TextWriter output, TextWriter error)
    {
        DaemonOptions? options = null;
        var root = new RootCommand("subvold: the Subvol CSI driver, serving one node's pool to Kubernetes")
        {
            Endpoint, Pool, NodeId, Mode, MetricsAddress, LogFormatOption, LogLevelOption, Peer, PeerListen, PeerCertificate, PeerKey, PeerCa,
        };
        root.Subcommands.Add(Client.MetadataCommand.Create(() => endpointVariable, output, error));
        root.SetAction(parsed =>
        {
            try
            {
                var parsedOptions = DaemonOptions.From(
                    parsed.GetValue(Endpoint) ?? endpointVariable,
                    parsed.GetValue(Pool),
                    parsed.GetValue(NodeId) ?? hostName,
                    Enum.Parse<ServiceMode>(parsed.GetValue(Mode)!, ignoreCase: true),
                    Enum.Parse<LogFormat>(parsed.GetValue(LogFormatOption)!, ignoreCase: true),
                    Enum.Parse<LogLevel>(parsed.GetValue(LogLevelOption)!, ignoreCase: true)) with
                {
                    MetricsAddress = parsed.GetValue(MetricsAddress) is { } address ? DaemonOptions.MetricsEndPointOf(address) : null,
                };
                // Assigned only when every option is good: an error below leaves nothing to run.
                options = parsedOptions with
                {
                    PeerListenAddress = parsed.GetValue(PeerListen) is { } peerAddress ? DaemonOptions.EndPointOf("--peer-listen", peerAddress) : null,
                    Peers = DaemonOptions.PeersOf(parsed.GetValue(Peer) ?? [], parsedOptions.NodeId),
                    PeerTls = PeerTlsFiles.From(
                        parsed.GetValue(PeerCertificate),
                        parsed.GetValue(PeerKey),
                        parsed.GetValue(PeerCa),
                        needed: parsed.GetValue(PeerListen) is not null || (parsed.GetValue(Peer) ?? []).Length > 0),
                };
                return ExitCodes.Success;
            }
            catch (ArgumentException exception)
            {
                return Refuse(error, exception.Message);
            }
        });

        // Response files are off: no argument is ever read as a file of arguments.
        var parseResult = root.Parse(args, new ParserConfiguration { ResponseFileTokenReplacer = null });
        if (parseResult.Errors.Count > 0 && parseResult.Action is not System.CommandLine.Help.HelpAction)
        {
            return (null, Refuse(error, OneLine(parseResult.Errors[0].Message)));
        }

        var exitCode = parseResult.Invoke(new InvocationConfiguration { Output = output, Error = error });
        return (options, exitCode);
    }

    private static int Refuse(TextWriter error, string message)
    {
        error.WriteLine($"subvold: error: {message}");
        error.WriteLine("Try 'subvold --help' for usage.");
        return ExitCodes.Usage;
    }

    private static Option<string> Choice(string name, string description, string defaultValue, params string[] values)
    {
        var option = new Option<string>(name)
        {
            Description = description,
            HelpName = string.Join('|', values),
            DefaultValueFactory = _ => defaultValue,
        };
        // The error names the option as well as the value: "Argument 'xml' not recognized" alone does not say where.
        option.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var value }] && !values.Contains(value, StringComparer.Ordinal))
            {
                result.AddError($"{name} must be {string.Join(", ", values[..^1])} or {values[^1]}, not '{value}'");
            }
        });
        option.CompletionSources.Add(values);
        return option;
    }

    // System.CommandLine lists allowed values on lines of their own; an error is one line.
    private static string OneLine(string message)
    {
        var lines = message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length <= 1 ? message : $"{lines[0]} {string.Join(", ", lines[1..])}";
    }
}
