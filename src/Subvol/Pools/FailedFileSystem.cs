using Subvol.Errors;
using Subvol.Linux;
using Subvol.Subvolumes;

namespace Subvol.Pools;

/// <summary>
/// A pool whose filesystem stopped after an error. Once XFS shuts down it answers every access with EIO, which an
/// existence check takes for "missing", so the pool would be reported as not imported, or as no pool at all, and the
/// remedy offered (import it) could only fail. The pool's root, its mount point, is looked at first (XFS refuses even
/// that after a shutdown), and such a failure is named as what it is.
/// </summary>
internal static class FailedFileSystem
{
    /// <summary>The error every access to the pool meets, or null when its filesystem answers.</summary>
    public static SystemCallException? Probe(PoolLayout layout)
    {
        try
        {
            _ = PathKind.Of(layout.Root);
            return null;
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.EIO or Errno.EUCLEAN)
        {
            return exception;
        }
    }

    /// <param name="image">A file-backed pool's image, when it is known; asked for only when the pool has failed.</param>
    public static void RefuseIfFailed(PoolLayout layout, Func<string?> image)
    {
        if (Probe(layout) is { } exception && image() is var known)
        {
            var remedy = known is null
                ? "'dmesg' says why; unmount the filesystem, check it with xfs_repair (the disk too), and mount it again"
                : $"'dmesg' says why; export the pool ('subvol pool export {layout.Root}'), check its image with '{FileSystemKind.CheckCommand(FileSystemKind.Xfs, known)}' " +
                  "(without -n to repair it) and the disk it lies on, then import it again";
            throw new SubvolException(SubvolErrorCode.Failed,
                $"the filesystem of pool {layout.Root} fails every access ({exception.Message}): XFS stops reading and writing after an error it cannot recover from",
                new Remedy.Advice(remedy), exception);
        }
    }

    /// <summary>
    /// Unmounts what is mounted from a failed pool's images, wherever that is, found from the kernel's tables alone since
    /// nothing of the pool (its database neither) can be read; then, for a file-backed pool, the pool itself.
    /// </summary>
    public static void UnmountAll(string root, bool fileBacked, TimeSpan patience)
    {
        var loops = LoopDevice.List().Where(loop => loop.BackingFile.StartsWith(root + "/", StringComparison.Ordinal)).ToList();
        foreach (var mount in ImageMounts.MountsOf(loops).OrderByDescending(mount => mount.Target.Length))
        {
            Mounts.Unmount(mount.Target);
        }

        if (fileBacked)
        {
            Mounts.UnmountPatiently(root, patience);
        }
    }
}
