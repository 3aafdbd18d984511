using Microsoft.AspNetCore.Server.Kestrel.Core;
using Subvol.Daemon;
using Subvol.Daemon.Csi;
using Subvol.Daemon.Errors;
using Subvol.Daemon.Logging;
using Subvol.Daemon.Services;

DaemonOptions options;
try
{
    options = DaemonOptions.Parse(args, Environment.GetEnvironmentVariable("CSI_ENDPOINT"), Environment.MachineName);
}
catch (ArgumentException exception)
{
    Console.Error.WriteLine($"subvold: {exception.Message}");
    Console.Error.WriteLine(DaemonOptions.Usage);
    return 2;
}

// The arguments are ours alone: they are not handed to the host as configuration.
var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
builder.Logging.ClearProviders();
builder.Logging.AddSimpleConsole(console =>
{
    console.SingleLine = true;
    console.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
    console.UseUtcTimestamp = true;
});

// Request bodies never reach the logs: ASP.NET Core and gRPC log at Warning and above only.
builder.Logging.AddFilter("Microsoft", LogLevel.Warning);
builder.Logging.AddFilter("Grpc", LogLevel.Warning);

builder.Services.AddSingleton(options);
builder.Services.AddSingleton<PoolGate>();
builder.Services.AddGrpc(grpc => grpc.Interceptors.Add<ErrorInterceptor>());
builder.WebHost.ConfigureKestrel(kestrel =>
    kestrel.ListenUnixSocket(options.SocketPath, listen => listen.Protocols = HttpProtocols.Http2));

// A socket left by a process that died would make the listen fail with "address in use".
Directory.CreateDirectory(Path.GetDirectoryName(options.SocketPath)!);
File.Delete(options.SocketPath);

var app = builder.Build();
app.MapGrpcService<IdentityService>();
if (options.ServesController)
{
    app.MapGrpcService<ControllerService>();
}

if (options.ServesNode)
{
    app.MapGrpcService<NodeService>();
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
