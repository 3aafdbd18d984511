using System.Security.Cryptography;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Subvolumes;

namespace Subvol.Encryption;

/// <summary>
/// The keys of encrypted subvolumes once they exist: loading one into a mounted filesystem's keyring and
/// taking it out again (which locks the encrypted tree without unmounting it), and changing what wraps it.
/// A change rewraps the one master key of the subvolume and its snapshots, so no data is re-encrypted.
/// </summary>
internal sealed class SubvolumeKeys(PoolSession session)
{
    /// <summary>The pool setting that names a key file to use when a command is given no key.</summary>
    public const string KeyFileSetting = "key-file";

    /// <summary>Records <paramref name="path"/> as the pool's key file, once it reads as one (32 or 64 bytes, mode 0600).</summary>
    public void SetKeyFile(string path)
    {
        var full = Path.GetFullPath(path);
        KeyMaterial.FromKeyFile(full).Dispose();
        using var writeLock = session.AcquireWriteLock();
        session.Database.SetPoolValue(KeyFileSetting, full);
        PoolSettings.Write(session.Files, session.Layout.MetadataDirectory, session.Database.ListPoolValues());
    }

    /// <summary>Whether the key named in <paramref name="wrappedKey"/> is in the keyring of the filesystem mounted at <paramref name="mountPoint"/>.</summary>
    public static bool IsLoaded(string? mountPoint, byte[] wrappedKey)
    {
        if (mountPoint is null)
        {
            return false;
        }

        try
        {
            return FileSystemEncryption.KeyStatus(mountPoint, WrappedKey.Identifier(wrappedKey)) == EncryptionKeyStatus.Present;
        }
        catch (SystemCallException)
        {
            return false;
        }
    }

    /// <summary>Unwraps the master key of <paramref name="what"/>; the caller zeroes it.</summary>
    public static byte[] Unlock(byte[]? wrappedKey, KeyMaterial? key, string what)
    {
        if (wrappedKey is null)
        {
            throw SubvolException.Invalid($"{what} is not encrypted; it takes no key");
        }

        if (key is null)
        {
            throw SubvolException.Invalid(
                $"{what} is encrypted; give its key with --key-file, --passphrase-file or --passphrase, or name a key file in the pool's settings ('subvol pool set key-file FILE')");
        }

        return WrappedKey.Unwrap(wrappedKey, key, what);
    }

    /// <summary>Adds the key of a mounted subvolume or snapshot to its filesystem's keyring again.</summary>
    public Outcome Load(string target, KeyMaterial? key)
    {
        using var writeLock = session.AcquireWriteLock();
        var (what, image, wrappedKey) = Find(target);
        if (wrappedKey is null)
        {
            throw SubvolException.Invalid($"{what} is not encrypted; it has no key to load");
        }

        var mountPoint = MountPointOf(image, what, "mount it, which loads its key");
        if (IsLoaded(mountPoint, wrappedKey))
        {
            return Outcome.Unchanged;
        }

        var masterKey = Unlock(wrappedKey, key, what);
        try
        {
            EncryptedTree.AddKey(mountPoint, masterKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }

        return Outcome.Changed;
    }

    /// <summary>Removes the key of a mounted subvolume or snapshot from its filesystem's keyring: its encrypted tree is locked, still mounted.</summary>
    public Outcome Unload(string target)
    {
        using var writeLock = session.AcquireWriteLock();
        var (what, image, wrappedKey) = Find(target);
        if (wrappedKey is null)
        {
            throw SubvolException.Invalid($"{what} is not encrypted; it has no key to unload");
        }

        var mount = ImageMounts.Find(image).FirstOrDefault()
            ?? throw SubvolException.Invalid($"{what} is not mounted, and a key is loaded only into a mounted filesystem; its key is loaded only while it is mounted");
        if (!IsLoaded(mount.Target, wrappedKey))
        {
            return Outcome.Unchanged;
        }

        bool locked;
        try
        {
            locked = EncryptedTree.Lock(session.Files, mount, session.Layout.StagingMountPoint(Guid.NewGuid()), WrappedKey.Identifier(wrappedKey));
        }
        catch (SystemCallException exception) when (exception.Errno == Errno.EBUSY && exception.Call == "umount")
        {
            throw SubvolException.Busy(
                $"{what} is in use at {Printable.Quote(mount.Target)}, so its tree cannot be locked; close what uses it ('fuser -vm {mount.Target}' lists it) and run 'subvol key unload' again");
        }

        if (!locked)
        {
            throw SubvolException.Busy($"the key of {what} is removed, but files of it still open elsewhere stay readable until they are closed; close them and run 'subvol key unload' again to finish");
        }

        return Outcome.Changed;
    }

    /// <summary>Wraps the master key of a subvolume and of its snapshots under <paramref name="next"/> instead of <paramref name="current"/>.</summary>
    public void Change(string name, KeyMaterial? current, KeyMaterial next)
    {
        NameRules.Validate(name, "subvolume");
        using var writeLock = session.AcquireWriteLock();
        var record = session.RequireSubvolume(name);
        var what = $"subvolume {Printable.Quote(name)}";
        var masterKey = Unlock(record.WrappedKey, current, what);
        byte[] rewrapped;
        try
        {
            rewrapped = WrappedKey.Wrap(masterKey, next);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(masterKey);
        }

        using (var transaction = session.Database.BeginTransaction())
        {
            KeyRewrapping.Record(session.Database, record, rewrapped);
            transaction.Commit();
        }

        // The database holds the new wrapping from here; an attribute left stale is what 'subvol check' reports and --repair rewrites.
        KeyRewrapping.RefreshIdentities(session.Files, session.Layout, session.Database, record with { WrappedKey = rewrapped });
    }

    private (string What, string Image, byte[]? WrappedKey) Find(string target)
    {
        var (subvolume, snapshot) = SnapshotReference.Split(target);
        if (snapshot is null)
        {
            var record = session.RequireSubvolume(subvolume);
            return ($"subvolume {Printable.Quote(subvolume)}", session.Layout.SubvolumeImage(subvolume), record.WrappedKey);
        }

        var snapshotRecord = session.RequireSnapshot(new SnapshotReference(subvolume, snapshot));
        return ($"snapshot {subvolume}@{snapshot}", session.Layout.SnapshotImage(subvolume, snapshot), snapshotRecord.WrappedKey);
    }

    private static string MountPointOf(string image, string what, string advice) =>
        ImageMounts.Find(image).FirstOrDefault()?.Target
            ?? throw SubvolException.Invalid($"{what} is not mounted, and a key is loaded only into a mounted filesystem; {advice}");
}
