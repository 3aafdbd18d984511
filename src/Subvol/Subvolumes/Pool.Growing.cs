using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>
    /// Grows a subvolume to at least <paramref name="newSize"/> and never shrinks it: online when it
    /// is mounted, offline when it is not, and, when it is attached as a block device, the image and
    /// the device only (the filesystem on a raw block device belongs to its user).
    /// </summary>
    public OperationResult<SubvolumeInfo> Grow(string name, long newSize)
    {
        using (var writeLock = AcquireWriteLock())
        {
            var record = RequireSubvolume(name);
            newSize = CheckSize(newSize, record.FileSystem);
            if (newSize <= record.Size)
            {
                return new(Outcome.Unchanged, GetSubvolume(name));
            }

            var image = _layout.SubvolumeImage(name);
            var devices = ImageMounts.LoopDevices(image);
            if (devices.Count > 0 && ImageMounts.Find(image).Count == 0)
            {
                GrowAttached(record, image, newSize, devices);
                return new(Outcome.Changed, GetSubvolume(name));
            }
        }

        // Resizing takes the write lock itself, and it checks the state again under it.
        return ResizeSubvolume(name, newSize);
    }

    private void GrowAttached(Metadata.SubvolumeRecord record, string image, long newSize, IReadOnlyList<LoopDeviceInfo> devices)
    {
        var oldSize = ImageSize(image);
        var what = $"growing {Printable.Quote(record.Name)} by {ByteSize.Format(newSize - oldSize)}";
        AdmitGrowth(record, oldSize, newSize, what);

        try
        {
            _files.SetLength(image, newSize);
            if (record.Provisioning == Provisioning.Guaranteed)
            {
                _files.Preallocate(image, oldSize, newSize - oldSize);
            }

            foreach (var device in devices)
            {
                LoopDevice.RefreshCapacity(device.DevicePath);
            }
        }
        catch (SystemCallException exception)
        {
            _files.SetLength(image, oldSize);
            throw Translate(exception, $"cannot grow subvolume {Printable.Quote(record.Name)}");
        }

        _database.UpdateSubvolumeSize(record.Id, newSize);
        Metadata.ImageIdentity.Refresh(_files, image, Metadata.ImageIdentity.Of(record with { Size = newSize }));
    }
}
