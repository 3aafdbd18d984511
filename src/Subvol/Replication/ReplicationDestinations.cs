using Subvol.Errors;
using Subvol.Linux;

namespace Subvol.Replication;

/// <summary>Opens the destination an address names: the one place that chooses between a local pool and ssh.</summary>
internal static class ReplicationDestinations
{
    /// <param name="sourcePool">The pool replicating, which is refused as a destination by any name; null when the caller checked.</param>
    public static IReplicationDestination Open(DestinationAddress address, ReplicateOptions options, string? sourcePool = null)
    {
        if (sourcePool is not null)
        {
            RefuseSourcePool(address, sourcePool);
        }

        return address.IsRemote
            ? new SshDestination(address, options.SshProgram, options.RemoteProgram)
            : new LocalDestination(address, Pool.Open(address.Pool));
    }

    /// <summary>Refuses the replicating pool as its own destination, by whatever name it is given.</summary>
    public static void RefuseSourcePool(DestinationAddress address, string sourcePool)
    {
        if (!address.IsRemote && IsSameDirectory(address.Pool, sourcePool))
        {
            // Through a link or a bind mount the pool would find itself up to date, and a backup that is not one be recorded.
            var alias = address.Pool == sourcePool ? "" : $" ({sourcePool}) by another name";
            throw SubvolException.Invalid($"the destination {address} is this pool{alias}; replicate to another pool");
        }
    }

    private static bool IsSameDirectory(string destination, string source) =>
        destination == source || (ErrorTranslation.Guard(() => FileIdentity.Of(destination), destination) is { } identity
            && identity == ErrorTranslation.Guard(() => FileIdentity.Of(source), source));
}
