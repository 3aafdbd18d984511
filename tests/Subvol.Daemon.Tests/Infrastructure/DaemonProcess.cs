using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Csi.V1;
using Grpc.Net.Client;

namespace Subvol.Daemon.Tests.Infrastructure;

/// <summary>One running subvold on a Unix socket, with CSI clients connected to it.</summary>
public sealed class DaemonProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly GrpcChannel _channel;

    public DaemonProcess(string socket, string pool, string nodeId, params string[] moreArguments)
    {
        Socket = socket;
        var (program, prefix) = Executable();
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        // Every service unless the test names a mode of its own.
        string[] mode = moreArguments.Contains("--mode") ? [] : ["--mode", "all"];
        foreach (var argument in prefix.Concat(["--endpoint", "unix://" + socket, "--pool", pool, "--node-id", nodeId, .. mode, .. moreArguments]))
        {
            start.ArgumentList.Add(argument);
        }

        _process = Process.Start(start)!;
        _process.OutputDataReceived += (_, line) => Record(line.Data);
        _process.ErrorDataReceived += (_, line) => Record(line.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        if (!Waiting.Eventually(() => File.Exists(socket) || _process.HasExited, TimeSpan.FromSeconds(30)) || _process.HasExited)
        {
            Dispose();
            throw new InvalidOperationException($"subvold did not start listening on {socket}:\n{Output}");
        }

        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, cancellationToken) =>
            {
                var client = new System.Net.Sockets.Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    await client.ConnectAsync(new UnixDomainSocketEndPoint(socket), cancellationToken);
                    return new NetworkStream(client, ownsSocket: true);
                }
                catch
                {
                    client.Dispose();
                    throw;
                }
            },
        };
        _channel = GrpcChannel.ForAddress("http://localhost", new GrpcChannelOptions { HttpHandler = handler });
        Identity = new Identity.IdentityClient(_channel);
        Controller = new Controller.ControllerClient(_channel);
        Node = new Node.NodeClient(_channel);
        GroupController = new GroupController.GroupControllerClient(_channel);
        SnapshotMetadata = new SnapshotMetadata.SnapshotMetadataClient(_channel);
    }

    public string Socket { get; }

    /// <summary>Runs subvold with these arguments alone, for command lines that make it exit at once (help, version, errors).</summary>
    public static (int ExitCode, string Output, string Error) RunToExit(params string[] arguments)
    {
        var (program, prefix) = Executable();
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in prefix.Concat(arguments))
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return (process.ExitCode, output, error.Result);
    }

    public Identity.IdentityClient Identity { get; }

    public Controller.ControllerClient Controller { get; }

    public Node.NodeClient Node { get; }

    public GroupController.GroupControllerClient GroupController { get; }

    public SnapshotMetadata.SnapshotMetadataClient SnapshotMetadata { get; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public void Dispose()
    {
        _channel?.Dispose();
        if (!_process.HasExited)
        {
            // SIGTERM: the host shuts down gracefully and removes its socket.
            Tools.Run("kill", "-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            if (!_process.WaitForExit(TimeSpan.FromSeconds(15)))
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.WaitForExit();
        _process.Dispose();
    }

    private void Record(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }

    /// <summary>$SUBVOLD if set, else the daemon's build output beside this test project's (same configuration).</summary>
    private static (string Program, string[] Prefix) Executable()
    {
        if (Environment.GetEnvironmentVariable("SUBVOLD") is { Length: > 0 } explicitPath)
        {
            return (explicitPath, []);
        }

        var ours = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
        var daemon = Path.Combine(ours.Parent!.Parent!.FullName, "Subvol.Daemon", ours.Name, "subvold.dll");
        if (!File.Exists(daemon))
        {
            throw new FileNotFoundException($"subvold is not built at {daemon}; build the solution first, or set SUBVOLD");
        }

        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        return (dotnet, [daemon]);
    }
}
