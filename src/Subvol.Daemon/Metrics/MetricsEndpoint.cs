using Grpc.Core;
using Prometheus;
using Subvol.Daemon.Csi;

namespace Subvol.Daemon.Metrics;

/// <summary>
/// GET /metrics: the CSI call histogram from prometheus-net, then the pool's gauges, which the
/// engine reads and renders when scraped, so they are as fresh as the scrape.
/// </summary>
internal static class MetricsEndpoint
{
    public static async Task Serve(HttpContext context, OperationMetrics metrics, PoolGate pool)
    {
        using var text = new MemoryStream();
        await metrics.Registry.CollectAndExportAsTextAsync(text, context.RequestAborted);
        var gauges = GaugeExposition.RenderDown(pool.PoolPath);
        try
        {
            // A pool that is not there is down; Probe says so, and each scrape need not log it again.
            if (pool.IsReady)
            {
                gauges = await pool.Run(opened => GaugeExposition.Render(PoolGauges.Read(opened)), context.RequestAborted);
            }
        }
        catch (RpcException)
        {
            // A pool that needs the operator is down too; PoolGate has logged why.
        }

        context.Response.ContentType = GaugeExposition.ContentType;
        text.Position = 0;
        await text.CopyToAsync(context.Response.Body, context.RequestAborted);
        await context.Response.WriteAsync(gauges, context.RequestAborted);
    }
}
