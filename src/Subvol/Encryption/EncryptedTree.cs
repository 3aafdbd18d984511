using System.Security.Cryptography;
using Microsoft.Win32.SafeHandles;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Subvolumes;

namespace Subvol.Encryption;

/// <summary>
/// The encrypted directory of an encrypted subvolume and how it is seen. ext4 refuses a policy on its root
/// directory (fscrypt.rst, "Limitations"), so the policy sits on the top-level directory <see cref="DirectoryName"/>,
/// and that directory, not the root, is what appears at the mount point. mount(2) cannot mount a subdirectory of
/// ext4, so the whole filesystem is mounted first at a private point under .subvol, the key added, the directory
/// bind-mounted at the mount point, and the private mount taken away again: the bind mount keeps the filesystem
/// (and its keyring) alive, its mountinfo source is still the image's loop device, so every rule that finds an
/// image's mounts by device finds it, and the unencrypted root (with lost+found) is never in view.
/// </summary>
internal static class EncryptedTree
{
    public const string DirectoryName = "encrypted";

    /// <summary>Makes the encrypted directory, with its v2 policy, in the freshly formatted image at <paramref name="image"/>.</summary>
    public static void Prepare(PoolFiles files, string image, string staging, ReadOnlySpan<byte> masterKey)
    {
        ImageMounts.Mount(files, image, staging, FileSystemKind.Ext4, MountFlags.None, null);
        try
        {
            var directory = Path.Combine(staging, DirectoryName);
            files.CreateDirectory(directory);
            var identifier = AddKey(staging, masterKey);
            try
            {
                FileSystemEncryption.SetPolicy(directory, identifier);
            }
            finally
            {
                FileSystemEncryption.RemoveKey(staging, identifier);
            }
        }
        finally
        {
            Mounts.Unmount(staging);
            files.DeleteDirectoryIfEmpty(staging);
        }
    }

    /// <summary>Mounts the image's encrypted directory at <paramref name="target"/> with its key loaded.</summary>
    public static void Mount(PoolFiles files, string image, string staging, string target, string fileSystem, MountFlags flags, string? options, ReadOnlySpan<byte> masterKey)
    {
        ImageMounts.Mount(files, image, staging, fileSystem, flags, options);
        byte[]? identifier = null;
        try
        {
            identifier = AddKey(staging, masterKey);
            PausePoint.Reach("encrypted-mount-staged");
            Bind(files, staging, target, readOnly: (flags & MountFlags.ReadOnly) != 0);
            identifier = null;
        }
        finally
        {
            if (identifier is not null)
            {
                // Nothing ended up mounted: the key goes with the private mount, wiped.
                FileSystemEncryption.RemoveKey(staging, identifier);
            }

            Mounts.Unmount(staging);
            files.DeleteDirectoryIfEmpty(staging);
        }
    }

    /// <summary>
    /// Removes the key of the filesystem whose encrypted directory is bind-mounted at <paramref name="mount"/>, and locks that
    /// directory too. The bind mount keeps the directory in use, and the kernel evicts no inode in use, so a key removed
    /// under it would leave the names right under the mount point readable. So the filesystem is held at a private point
    /// while the bind mount goes, the key is removed, and the directory, now locked, is bound back where it was.
    /// </summary>
    /// <returns>False when something still held a file of the tree open elsewhere, so the kernel could not lock all of it.</returns>
    public static bool Lock(PoolFiles files, MountEntry mount, string staging, ReadOnlySpan<byte> identifier)
    {
        // A second mount of a block device shares its superblock only in the same read-only state (get_tree_bdev).
        var superblockReadOnly = mount.SuperOptions.Split(',').Contains("ro");
        files.CreateDirectory(staging);
        try
        {
            using var point = files.OpenMountPoint(staging);
            Mounts.Mount(mount.Source, point, staging, mount.FileSystemType, superblockReadOnly ? MountFlags.ReadOnly : MountFlags.None, null);
        }
        catch
        {
            files.DeleteDirectoryIfEmpty(staging);
            throw;
        }

        try
        {
            Mounts.Unmount(mount.Target);
            try
            {
                return FileSystemEncryption.RemoveKey(staging, identifier);
            }
            finally
            {
                Bind(files, staging, mount.Target, readOnly: mount.MountOptions.Split(',').Contains("ro"));
            }
        }
        finally
        {
            Mounts.Unmount(staging);
            files.DeleteDirectoryIfEmpty(staging);
        }
    }

    /// <summary>Binds the encrypted directory of the filesystem mounted at <paramref name="staging"/> onto <paramref name="target"/>.</summary>
    private static void Bind(PoolFiles files, string staging, string target, bool readOnly)
    {
        // The directory is the image's, and a stream's sender made the image: it is opened beneath the pool without
        // following a link, so a link planted in its place cannot bind what it points to (the host's root, say) here.
        using var directory = OpenEncryptedDirectory(files, staging);
        var source = ConfinedDirectory.DescriptorPath(directory);
        if (target.StartsWith(files.Root + "/", StringComparison.Ordinal))
        {
            files.CreateDirectory(target);
            using var mountPoint = files.OpenMountPoint(target);
            Mounts.Mount(source, mountPoint, target, "none", MountFlags.Bind, null);
        }
        else
        {
            Directory.CreateDirectory(target);
            Mounts.Mount(source, target, "none", MountFlags.Bind, null);
        }

        if (readOnly)
        {
            // A bind mount takes MS_RDONLY only on a remount of the bind itself (mount(2), "Creating a bind mount").
            Mounts.Mount("none", target, "none", MountFlags.Bind | MountFlags.Remount | MountFlags.ReadOnly, null);
        }
    }

    private static SafeFileHandle OpenEncryptedDirectory(PoolFiles files, string staging)
    {
        var directory = Path.Combine(staging, DirectoryName);
        // Seen without following it; the open below refuses a link all the same, this only says why in the image's terms.
        if (files.Status(directory).Kind != EntryKind.Directory)
        {
            throw SubvolException.Inconsistent(
                $"the image's top-level directory '{DirectoryName}' is missing or not a directory (a link or a file stands in its place), which no image Subvol makes has; " +
                "the image was altered or forged, and Subvol refused to mount it");
        }

        return files.OpenMountPoint(directory);
    }

    /// <summary>Adds the key to the filesystem at <paramref name="path"/>, checking that the kernel names it as the pool does.</summary>
    public static byte[] AddKey(string path, ReadOnlySpan<byte> masterKey)
    {
        var identifier = FileSystemEncryption.AddKey(path, masterKey);
        if (!identifier.AsSpan().SequenceEqual(KeyIdentifier.Of(masterKey)))
        {
            FileSystemEncryption.RemoveKey(path, identifier);
            throw new CryptographicException("the kernel named the key otherwise than fscrypt's key identifier derivation does");
        }

        return identifier;
    }
}
