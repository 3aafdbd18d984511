using Subvol.Errors;
using Subvol.Subvolumes;

namespace Subvol.Pools;

/// <summary>
/// A file-backed pool whose image was deleted while the pool is mounted. The pool goes on working, since its loop
/// device still holds the unlinked file, but only until it is unmounted: then the file, and every subvolume and
/// snapshot in it, is gone for good. Every command says so, and export refuses until the image is back in place.
/// </summary>
public static class DeletedPoolImage
{
    /// <summary>What is wrong and what to do, or null when the pool's image is where it belongs (or it has none).</summary>
    public static SubvolException? Check(string root, string? image)
    {
        if (image is null || File.Exists(image) || DeletedImage.Holder(image) is not { } device)
        {
            return null;
        }

        return SubvolException.Busy(
            $"the image {image} of pool {root} was deleted while the pool is mounted: the pool lives on only in {device}, " +
            "which still holds the deleted file, and is lost for good once it is unmounted (by export, or at shutdown)",
            new Remedy.Advice(
                $"copy it back before anything else: unmount the pool's subvolumes, then '{DeletedImage.CopyBack(device, image, root)}', then export the pool and import it again"));
    }
}
