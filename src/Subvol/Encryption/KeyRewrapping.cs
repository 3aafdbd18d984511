using Subvol.Metadata;
using Subvol.Pools;

namespace Subvol.Encryption;

/// <summary>
/// A subvolume and its snapshots share one master key, so a new wrapping of it (from 'subvol key change', or from a
/// stream made after one) is recorded for all of them at once, in the metadata and then in each image's identity.
/// </summary>
internal static class KeyRewrapping
{
    /// <summary>Records the new wrapping for the subvolume and every snapshot of it, inside the caller's transaction.</summary>
    public static void Record(PoolDatabase database, SubvolumeRecord subvolume, byte[] wrappedKey)
    {
        database.SetWrappedKey(subvolume.Guid, wrappedKey);
        foreach (var snapshot in database.ListSnapshots(subvolume.Name))
        {
            database.SetWrappedKey(snapshot.Guid, wrappedKey);
        }
    }

    /// <summary>Brings the images' identities to the recorded wrapping; one left stale is what 'subvol check' reports and --repair rewrites.</summary>
    public static void RefreshIdentities(PoolFiles files, PoolLayout layout, PoolDatabase database, SubvolumeRecord subvolume)
    {
        ImageIdentity.Refresh(files, layout.SubvolumeImage(subvolume.Name), ImageIdentity.Of(subvolume));
        foreach (var snapshot in database.ListSnapshots(subvolume.Name))
        {
            ImageIdentity.Refresh(files, layout.SnapshotImage(subvolume.Name, snapshot.Name), ImageIdentity.Of(snapshot, subvolume));
        }
    }
}
