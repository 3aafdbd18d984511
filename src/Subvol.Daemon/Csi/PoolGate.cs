using Subvol.Daemon.Errors;
using Subvol.Daemon.Logging;

namespace Subvol.Daemon.Csi;

/// <summary>
/// Opens the pool for each request and lets one request use it at a time. Nothing is cached: all
/// state lives in the pool and the kernel, so a restarted daemon carries on where the last one stopped.
/// </summary>
internal sealed class PoolGate(DaemonOptions options, ILogger<PoolGate> logger) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);

    public string PoolPath => options.PoolPath;

    /// <summary>Whether the pool is there to serve: its metadata exists (a file-backed pool's image is mounted).</summary>
    public bool IsReady => Pool.Exists(options.PoolPath);

    public async Task<T> Run<T>(Func<Pool, T> action, CancellationToken cancellationToken)
    {
        await _turn.WaitAsync(cancellationToken);
        try
        {
            // The engine blocks (mkfs, reflinks, mounts); keep it off the request thread.
            return await Task.Run(() =>
            {
                using var pool = Open();
                return action(pool);
            }, CancellationToken.None);
        }
        finally
        {
            _turn.Release();
        }
    }

    public void Dispose() => _turn.Dispose();

    private Pool Open()
    {
        try
        {
            return Pool.Open(options.PoolPath);
        }
        catch (SubvolException exception)
        {
            logger.PoolUnavailable(options.PoolPath, ErrorStatus.Detail(exception));

            // Only a pool that is not there yet (not imported after a reboot) is worth retrying as it is;
            // a damaged or read-only pool fails the same way until the operator acts, so the CO must not retry forever.
            throw exception.Code == SubvolErrorCode.NotFound
                ? ErrorStatus.Unavailable(ErrorStatus.Detail(exception))
                : ErrorStatus.From(exception);
        }
    }
}
