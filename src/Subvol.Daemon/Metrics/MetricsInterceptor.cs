using System.Diagnostics;
using Grpc.Core;
using Grpc.Core.Interceptors;

namespace Subvol.Daemon.Metrics;

/// <summary>
/// Times every CSI call and records it with the status it ended with. It runs outside the error
/// interceptor, so it sees the status a client sees, not the exception a service threw.
/// </summary>
internal sealed class MetricsInterceptor(OperationMetrics metrics) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = default(TResponse)!;
        await Timed(context, async () => response = await continuation(request, context));
        return response;
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        Timed(context, () => continuation(request, responseStream, context));

    private async Task Timed(ServerCallContext context, Func<Task> call)
    {
        var started = Stopwatch.GetTimestamp();
        var status = StatusCode.OK;
        try
        {
            await call();
        }
        catch (RpcException exception)
        {
            status = exception.StatusCode;
            throw;
        }
        catch (OperationCanceledException)
        {
            status = StatusCode.Cancelled;
            throw;
        }
        catch
        {
            status = StatusCode.Unknown;
            throw;
        }
        finally
        {
            metrics.Record(context.Method, status, Stopwatch.GetElapsedTime(started));
        }
    }
}
