using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ReplicateVerb;

/// <summary>A source pool, a destination pool, and an sshd on 127.0.0.1 through which the destination is reached.</summary>
public sealed class SshPoolsFixture : IDisposable
{
    private readonly ReplicatePools _pools = new();
    private readonly SshServer? _server;

    public SshPoolsFixture()
    {
        if (!Capabilities.CanUseLoopDevices)
        {
            return;
        }

        try
        {
            _server = new SshServer(Source.NewDirectory("sshd"), Destination.ConfigurationDirectory);
        }
        catch
        {
            _pools.Dispose();
            throw;
        }
    }

    public PoolFixture Source => _pools.SourceFixture;

    public PoolFixture Destination => _pools.DestinationFixture;

    public SshServer Server => _server ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public void Dispose()
    {
        try
        {
            _server?.Dispose();
        }
        finally
        {
            _pools.Dispose();
        }
    }
}
