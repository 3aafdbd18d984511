using Subvol.Errors;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Subvolumes;

/// <summary>
/// An image deleted by hand while it is attached. Its loop device still holds the unlinked file, and the data in it,
/// until the device is detached, which unmounting it does: so it is not unmounted, nor forgotten by a repair, until
/// the file is copied back.
/// </summary>
internal static class DeletedImage
{
    /// <summary>The loop device that holds the deleted file of <paramref name="image"/>, or null when the file is in place or nothing holds it.</summary>
    public static string? Holder(PoolFiles files, string image) => files.Exists(image) ? null : Holder(image);

    /// <summary>The same for a file outside a pool, such as a pool's own image, whose absence the caller found.</summary>
    public static string? Holder(string missingImage) =>
        ImageMounts.LoopDevices(missingImage).FirstOrDefault(loop => LoopDevice.BackingFileDeleted(loop.DevicePath))?.DevicePath;

    /// <summary>How to copy the deleted file back from the loop device that holds it, quiescing the filesystem mounted there first.</summary>
    public static string CopyBack(string device, string image, string? mountPoint) => mountPoint is null
        ? $"cp --sparse=always {device} {image}"
        : $"fsfreeze -f {mountPoint} && cp --sparse=always {device} {image}; fsfreeze -u {mountPoint}";

    /// <summary>What is wrong with such an image and how to copy it back, for <paramref name="what"/> (a subvolume, a snapshot).</summary>
    public static (string Message, Remedy Remedy) Describe(string what, string image, string device)
    {
        var mountPoint = Mounts.Read().FirstOrDefault(mount => mount.Source == device)?.Target;
        // The copy is a new file, which the old mount does not hold: that mount is let go by its mount point, and the
        // copy gets back the identity attribute and mode that cp does not carry over.
        var copy = $"'{CopyBack(device, image, mountPoint)}', then " + (mountPoint is null ? $"'losetup -d {device}'" : $"'subvol umount {mountPoint}'");
        return ($"the image {image} ({what}) was deleted while it is attached: it lives on only in {device}, and is lost for good once that is detached (by an unmount)",
            new Remedy.Advice($"copy it back first: {copy}, and 'subvol check --repair'"));
    }

    /// <summary>Refuses to unmount an image whose file was deleted, which would lose it.</summary>
    public static void RefuseIfHeld(PoolFiles files, string image, string what)
    {
        if (Holder(files, image) is { } device)
        {
            var (message, remedy) = Describe(what, image, device);
            throw SubvolException.Busy(message, remedy);
        }
    }
}
