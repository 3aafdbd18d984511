using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ReplicateVerb;

/// <summary>A source pool, a destination pool, and an sshd on 127.0.0.1 through which the destination is reached.</summary>
public sealed class SshPoolsFixture : IDisposable
{
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
            Dispose();
            throw;
        }
    }

    public PoolFixture Source { get; } = new();

    public PoolFixture Destination { get; } = new();

    public SshServer Server => _server ?? throw new InvalidOperationException(Capabilities.SkipReason);

    public void Dispose()
    {
        try
        {
            _server?.Dispose();
        }
        finally
        {
            try
            {
                Destination.Dispose();
            }
            finally
            {
                Source.Dispose();
            }
        }
    }
}
