using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>
    /// Attaches a subvolume's image to a loop device without mounting it, so that it can be used as
    /// a raw block device. The device stays attached (no auto-clear) until <see cref="Detach"/>.
    /// </summary>
    public OperationResult<string> Attach(string name, bool readOnly)
    {
        using var writeLock = AcquireWriteLock();
        RequireSubvolume(name);
        var image = _layout.SubvolumeImage(name);
        var mounts = ImageMounts.Find(image);
        if (mounts.Count > 0)
        {
            throw SubvolException.Busy($"subvolume {Printable.Quote(name)} is mounted at {mounts[0].Target}; a block device must be the only user of its image, so unmount it first");
        }

        var attached = ImageMounts.LoopDevices(image);
        if (attached.Count > 0)
        {
            if (attached[0].ReadOnly != readOnly)
            {
                throw SubvolException.Busy($"subvolume {Printable.Quote(name)} is already attached {(attached[0].ReadOnly ? "read-only" : "read-write")} to {attached[0].DevicePath}; detach it first");
            }

            return new(Outcome.AlreadyExisted, attached[0].DevicePath);
        }

        try
        {
            using var loop = _files.Attach(image, readOnly, autoClear: false);
            return new(Outcome.Created, loop.DevicePath);
        }
        catch (SystemCallException exception)
        {
            throw Translate(exception, $"cannot attach subvolume {Printable.Quote(name)}");
        }
    }

    /// <summary>Detaches the loop devices that hold a subvolume's image without a mount; mounted ones are left alone.</summary>
    public Outcome Detach(string name)
    {
        using var writeLock = AcquireWriteLock();
        RequireSubvolume(name);
        var detached = false;
        foreach (var device in ImageMounts.LoopDevices(_layout.SubvolumeImage(name)))
        {
            if (Mounts.FindBySource(device.DevicePath).Count == 0)
            {
                LoopDevice.DetachDevice(device.DevicePath, device.BackingFile);
                detached = true;
            }
        }

        return detached ? Outcome.Deleted : Outcome.AlreadyGone;
    }

    /// <summary>The loop device a subvolume's image is attached to without being mounted (a block device in use), or null.</summary>
    public string? FindAttachedDevice(string name)
    {
        if (NameRules.Problem(name) is not null || _database.FindSubvolume(name) is null)
        {
            return null;
        }

        return ImageMounts.LoopDevices(_layout.SubvolumeImage(name))
            .FirstOrDefault(device => Mounts.FindBySource(device.DevicePath).Count == 0)?.DevicePath;
    }
}
