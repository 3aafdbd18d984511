using Subvol.Replication;

namespace Subvol.Policies;

/// <summary>
/// The targets a run has opened, kept open until the run ends: every subvolume sent to a target, and the batch
/// pruned there at the end, go through one connection (one ssh handshake, or one open pool).
/// </summary>
internal sealed class TargetConnections(string sourcePool, AutomaticRunOptions options) : IDisposable
{
    private readonly Dictionary<string, IReplicationDestination> _open = new(StringComparer.Ordinal);

    public ReplicateOptions ReplicateOptions { get; } = new(false, options.Compression, options.SshProgram, options.RemoteProgram);

    public IReplicationDestination Open(DestinationAddress address)
    {
        var key = address.ToString();
        if (!_open.TryGetValue(key, out var destination))
        {
            destination = ReplicationDestinations.Open(address, ReplicateOptions, sourcePool);
            _open[key] = destination;
        }

        return destination;
    }

    public void Dispose()
    {
        foreach (var destination in _open.Values)
        {
            destination.Dispose();
        }

        _open.Clear();
    }
}
