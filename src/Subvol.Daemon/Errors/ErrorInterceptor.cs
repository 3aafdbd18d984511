using Grpc.Core;
using Grpc.Core.Interceptors;
using Subvol.Daemon.Logging;

namespace Subvol.Daemon.Errors;

/// <summary>Turns what a service throws into a gRPC status and logs it, so that services stay thin.</summary>
internal sealed class ErrorInterceptor(ILogger<ErrorInterceptor> logger) : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        var response = default(TResponse)!;
        await Guarded(context, async () => response = await continuation(request, context));
        return response;
    }

    /// <summary>A streaming call fails as a unary one does: what it throws before or between messages ends the stream with that status.</summary>
    public override Task ServerStreamingServerHandler<TRequest, TResponse>(
        TRequest request, IServerStreamWriter<TResponse> responseStream, ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation) =>
        Guarded(context, () => continuation(request, responseStream, context));

    private async Task Guarded(ServerCallContext context, Func<Task> call)
    {
        try
        {
            await call();
        }
        catch (RpcException exception)
        {
            logger.RequestRefused(context.Method, exception.StatusCode, exception.Status.Detail);
            throw;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            // The engine's one conversion, as the command line uses it: a code and a remedy, never exception text.
            var error = ErrorTranslation.Translate(exception);
            var mapped = ErrorStatus.From(error);
            if (error.Code == SubvolErrorCode.Failed)
            {
                logger.RequestFailed(context.Method, exception);
            }
            else
            {
                logger.RequestRefused(context.Method, mapped.StatusCode, mapped.Status.Detail);
            }

            throw mapped;
        }
    }
}
