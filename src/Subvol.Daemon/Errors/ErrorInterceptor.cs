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
        try
        {
            return await continuation(request, context);
        }
        catch (RpcException exception)
        {
            logger.RequestRefused(context.Method, exception.StatusCode, exception.Status.Detail);
            throw;
        }
        catch (SubvolException exception)
        {
            var mapped = ErrorStatus.From(exception);
            logger.RequestRefused(context.Method, mapped.StatusCode, exception.Message);
            throw mapped;
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            logger.RequestFailed(context.Method, exception);
            throw new RpcException(new Status(StatusCode.Internal, exception.Message));
        }
    }
}
