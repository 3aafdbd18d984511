using Subvol.Cli.Tests.Infrastructure;

namespace Subvol.Cli.Tests.ReplicateVerb;

/// <summary>A source pool and a destination pool, each cleaned up and leak-checked by its own fixture.</summary>
public sealed class TwoPoolsFixture : IDisposable
{
    public PoolFixture Source { get; } = new();

    public PoolFixture Destination { get; } = new();

    public void Dispose()
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
