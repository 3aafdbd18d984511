using Subvol.Errors;

namespace Subvol.Replication;

/// <summary>Opens the destination an address names: the one place that chooses between a local pool and ssh.</summary>
internal static class ReplicationDestinations
{
    /// <param name="sourcePool">The pool replicating, whose own path is refused as a destination; null when the caller checked.</param>
    public static IReplicationDestination Open(DestinationAddress address, ReplicateOptions options, string? sourcePool = null)
    {
        if (!address.IsRemote && address.Pool == sourcePool)
        {
            throw SubvolException.Invalid($"the destination {address} is this pool; replicate to another pool");
        }

        return address.IsRemote
            ? new SshDestination(address, options.SshProgram, options.RemoteProgram)
            : new LocalDestination(address, Pool.Open(address.Pool));
    }
}
