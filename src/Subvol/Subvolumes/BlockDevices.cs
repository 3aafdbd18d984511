using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Subvolumes;

/// <summary>
/// A subvolume used as a raw block device: its image attached to a loop device without a mount, the
/// device node published at a path (how a container receives a raw block volume), and detached again.
/// </summary>
internal sealed class BlockDevices(PoolSession session)
{
    /// <summary>
    /// Attaches a subvolume's image to a loop device without mounting it. The device stays attached
    /// (no auto-clear) until it is detached.
    /// </summary>
    public OperationResult<string> Attach(string name, bool readOnly)
    {
        using var writeLock = session.AcquireWriteLock();
        session.RequireSubvolume(name);
        var image = session.Layout.SubvolumeImage(name);
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
            using var loop = session.Files.Attach(image, readOnly, autoClear: false);
            return new(Outcome.Created, loop.DevicePath);
        }
        catch (SystemCallException exception)
        {
            throw ErrorTranslation.During($"cannot attach subvolume {Printable.Quote(name)}", exception);
        }
    }

    /// <summary>Detaches the loop devices that hold a subvolume's image without a mount; mounted ones are left alone.</summary>
    public Outcome Detach(string name)
    {
        using var writeLock = session.AcquireWriteLock();
        session.RequireSubvolume(name);
        var detached = false;
        foreach (var device in ImageMounts.LoopDevices(session.Layout.SubvolumeImage(name)))
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
    public string? FindAttached(string name)
    {
        if (NameRules.Problem(name) is not null || session.Database.FindSubvolume(name) is null)
        {
            return null;
        }

        return ImageMounts.LoopDevices(session.Layout.SubvolumeImage(name))
            .FirstOrDefault(device => Mounts.FindBySource(device.DevicePath).Count == 0)?.DevicePath;
    }

    /// <summary>
    /// Makes the loop device a subvolume is attached to appear at <paramref name="at"/> by bind-mounting
    /// the device node onto a file there.
    /// </summary>
    public OperationResult<string> Bind(string name, string at)
    {
        using var writeLock = session.AcquireWriteLock();
        session.RequireSubvolume(name);
        var image = session.Layout.SubvolumeImage(name);
        at = ImageMounts.NewMountPoint(session.Layout, at);
        var device = ImageMounts.LoopDevices(image).FirstOrDefault(candidate => Mounts.FindBySource(candidate.DevicePath).Count == 0)
            ?? throw SubvolException.Invalid($"subvolume {Printable.Quote(name)} is not attached as a block device; attach it first");
        if (Mounts.FindByTarget(at) is { } other)
        {
            return ImageMounts.IsNodeOf(at, [device])
                ? new(Outcome.AlreadyExisted, at)
                : throw SubvolException.AlreadyExists($"{at} already has {other.Source} mounted on it");
        }

        if (Directory.Exists(at))
        {
            throw SubvolException.Invalid($"{at} is a directory; a block device is published on a file");
        }

        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(at)!);
            if (!File.Exists(at))
            {
                // The empty file only carries the bind mount of the device node: made 0600, so it shows nothing of its own.
                using var directory = ConfinedDirectory.Open(Path.GetDirectoryName(at)!);
                directory.CreateFile(Path.GetFileName(at), PoolFiles.PrivateFileMode).Dispose();
            }

            Mounts.Mount(device.DevicePath, at, "none", MountFlags.Bind, null);
        }
        catch (SystemCallException exception)
        {
            throw ErrorTranslation.During($"cannot bind {device.DevicePath} to {at}", exception);
        }

        return new(Outcome.Created, at);
    }
}
