using Microsoft.AspNetCore.Server.Kestrel.Core;
using Subvol.Daemon;
using Subvol.Daemon.Csi;
using Subvol.Daemon.Errors;
using Subvol.Daemon.Logging;
using Subvol.Daemon.Metrics;
using Subvol.Daemon.Peers;
using Subvol.Daemon.Services;

var (parsed, exitCode) = DaemonCommandLine.Parse(args, Environment.GetEnvironmentVariable("CSI_ENDPOINT"), Environment.MachineName, Console.Out, Console.Error);
if (parsed is not { } options)
{
    return exitCode;
}

// Peer TLS files that cannot be used are a bad command line, found before anything listens.
PeerTrust? peerTrust;
try
{
    peerTrust = options.PeerTls is { } peerTls ? PeerTrust.Load(peerTls) : null;
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine($"subvold: error: {exception.Message}");
    return Subvol.Errors.ExitCodes.Usage;
}

// The arguments are ours alone: they are not handed to the host as configuration.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
if (options.LogFormat is LogFormat.Json)
{
    builder.Logging.AddJsonConsole(console =>
    {
        console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
        console.UseUtcTimestamp = true;
    });
}
else
{
    builder.Logging.AddSimpleConsole(console =>
    {
        console.SingleLine = true;
        console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
        console.UseUtcTimestamp = true;
    });
}

builder.Logging.SetMinimumLevel(options.LogLevel);

// Request bodies never reach the logs: ASP.NET Core and gRPC log at Warning and above only, whatever --log-level says.
var frameworkLevel = (LogLevel)Math.Max((int)LogLevel.Warning, (int)options.LogLevel);
builder.Logging.AddFilter("Microsoft", frameworkLevel);
builder.Logging.AddFilter("Grpc", frameworkLevel);

builder.Services.AddSingleton(options);
builder.Services.AddSingleton<PoolGate>();
builder.Services.AddSingleton<OperationMetrics>();
if (options.Mode is ServiceMode.Resizer)
{
    // The resizer's Controller hands ControllerModifyVolume to the full one, which is not served on its own here.
    builder.Services.AddSingleton<ControllerService>();
}

builder.Services.AddSingleton(_ => new PeerChannels(options, peerTrust));
builder.Services.AddSingleton<PeerForwarding>();

// The metrics interceptor comes first, so it wraps the error interceptor and records the status a client sees.
builder.Services.AddGrpc(grpc =>
{
    grpc.Interceptors.Add<MetricsInterceptor>();
    grpc.Interceptors.Add<ErrorInterceptor>();
});
builder.WebHost.ConfigureKestrel(kestrel =>
{
    kestrel.ListenUnixSocket(options.SocketPath, listen => listen.Protocols = HttpProtocols.Http2);
    if (options.PeerListenAddress is { } peerAddress)
    {
        // Other nodes' subvold ask for SnapshotMetadata here, and each must show a certificate of the peers' CA.
        var trust = peerTrust!;
        Listen(kestrel, peerAddress, listen =>
        {
            listen.Protocols = HttpProtocols.Http2;
            listen.UseHttps(https =>
            {
                https.ServerCertificate = trust.Certificate;
                https.ClientCertificateMode = Microsoft.AspNetCore.Server.Kestrel.Https.ClientCertificateMode.RequireCertificate;
                https.ClientCertificateValidation = (certificate, _, _) => trust.Accepts(certificate);
            });
        });
    }

    if (options.MetricsAddress is { } metrics)
    {
        // Prometheus scrapes over plain HTTP/1.1.
        Listen(kestrel, metrics, listen => listen.Protocols = HttpProtocols.Http1);
    }
});

// A socket left by a process that died would make the listen fail with "address in use".
Directory.CreateDirectory(Path.GetDirectoryName(options.SocketPath)!);
File.Delete(options.SocketPath);

var app = builder.Build();
if (options.PeerListenAddress is { } peerListen)
{
    // The peer port serves SnapshotMetadata and nothing else: no Controller, Node or Identity call comes from another node.
    app.Use(async (context, next) =>
    {
        if (context.Connection.LocalPort == peerListen.Port && !context.Request.Path.StartsWithSegments("/csi.v1.SnapshotMetadata", StringComparison.Ordinal))
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        await next(context);
    });
}

app.MapGrpcService<IdentityService>();
if (options.ServesController)
{
    app.MapGrpcService<ControllerService>();
    app.MapGrpcService<GroupControllerService>();
    app.MapGrpcService<SnapshotMetadataService>();
}

if (options.Mode is ServiceMode.Resizer)
{
    app.MapGrpcService<ResizerControllerService>();
}

if (options.ServesNode)
{
    app.MapGrpcService<NodeService>();
}

if (options.MetricsAddress is { } metricsAddress)
{
    // Only on the metrics port: the CSI socket serves gRPC alone.
    // Told apart by the port a request arrived on, not by its Host header, which a proxy or port-forward rewrites.
    app.MapGet("/metrics", (HttpContext context, OperationMetrics metrics, PoolGate pool) =>
        context.Connection.LocalPort == metricsAddress.Port ? MetricsEndpoint.Serve(context, metrics, pool) : NotFound(context));
}

var log = app.Services.GetRequiredService<ILogger<DaemonOptions>>();
app.Lifetime.ApplicationStarted.Register(() => log.Started(options.Mode.ToString().ToLowerInvariant(), options.SocketPath, options.PoolPath, options.NodeId));
app.Lifetime.ApplicationStopped.Register(() =>
{
    File.Delete(options.SocketPath);
    log.Stopped();
});

await app.RunAsync();
return 0;

// An address for every interface falls back to IPv4 alone where IPv6 is off.
static void Listen(Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions kestrel, System.Net.IPEndPoint address, Action<Microsoft.AspNetCore.Server.Kestrel.Core.ListenOptions> configure)
{
    if (address.Address.Equals(System.Net.IPAddress.IPv6Any))
    {
        kestrel.ListenAnyIP(address.Port, configure);
    }
    else
    {
        kestrel.Listen(address, configure);
    }
}

static Task NotFound(HttpContext context)
{
    context.Response.StatusCode = StatusCodes.Status404NotFound;
    return Task.CompletedTask;
}
