using Subvol.Errors;
using Subvol.Names;
using Subvol.Subvolumes;

namespace Subvol.Snapshots;

/// <summary>Refusals for an image that something still uses, before an operation removes or replaces it.</summary>
internal static class ImageInUse
{
    /// <param name="what">How the message names the image ("snapshot home@daily").</param>
    /// <param name="target">The subvolume or NAME@SNAP to unmount.</param>
    public static void RefuseIfMounted(string pool, string image, string what, string target)
    {
        var mounts = ImageMounts.Find(image);
        if (mounts.Count > 0)
        {
            throw SubvolException.Busy($"{what} is mounted at {mounts[0].Target}", new Remedy.Unmount(pool, target));
        }
    }

    public static void RefuseIfAttached(string image, string subvolume)
    {
        var devices = ImageMounts.LoopDevices(image);
        if (devices.Count > 0)
        {
            throw SubvolException.Busy(
                $"the image of {Printable.Quote(subvolume)} is attached to {devices[0].DevicePath}",
                new Remedy.Advice($"detach it with 'losetup -d {devices[0].DevicePath}' first"));
        }
    }
}
