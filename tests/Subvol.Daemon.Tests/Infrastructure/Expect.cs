using Grpc.Core;

namespace Subvol.Daemon.Tests.Infrastructure;

internal static class Expect
{
    /// <summary>The call fails with exactly <paramref name="code"/>.</summary>
    public static RpcException Status(StatusCode code, Action call)
    {
        var exception = Assert.Throws<RpcException>(call);
        Assert.True(exception.StatusCode == code, $"expected {code}, got {exception.StatusCode}: {exception.Status.Detail}");
        return exception;
    }
}
