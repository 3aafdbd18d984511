using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Space;

namespace Subvol.Subvolumes;

/// <summary>
/// Changing a subvolume's size: growth is admitted against the pool's space once, then the image, the
/// loop device and the filesystem inside grow together (online when mounted, offline when not); only an
/// unmounted ext4 shrinks. The write lock is held from the first look at the subvolume to the last write.
/// </summary>
internal sealed class SubvolumeResizer(PoolSession session, SpaceAdmission space)
{
    private PoolFiles Files => session.Files;

    /// <param name="growOnly">
    /// Never shrink (a smaller size leaves it as it is), and grow a subvolume attached as a block device
    /// without a mount by its image and device only: the filesystem on a raw block device belongs to its user.
    /// </param>
    public OperationResult<SubvolumeInfo> Resize(string name, long newSize, bool growOnly)
    {
        using var writeLock = session.AcquireWriteLock();
        var record = session.RequireSubvolume(name);
        newSize = SubvolumeSizes.Check(newSize, record.FileSystem);
        if (growOnly && newSize <= record.Size)
        {
            return new(Outcome.Unchanged, Describe(name));
        }

        var image = session.Layout.SubvolumeImage(name);
        var currentSize = ImageSpace.Length(session, image);
        if (newSize == record.Size && newSize == currentSize)
        {
            return new(Outcome.Unchanged, Describe(name));
        }

        try
        {
            if (newSize > currentSize)
            {
                Grow(record, image, currentSize, newSize, growOnly);
            }
            else
            {
                Shrink(record, image, newSize);
            }
        }
        catch (SystemCallException exception)
        {
            throw ErrorTranslation.During($"cannot {(growOnly ? "grow" : "resize")} subvolume {Printable.Quote(name)}", exception);
        }

        session.Database.UpdateSubvolumeSize(record.Id, newSize);
        ImageIdentity.Refresh(Files, image, ImageIdentity.Of(record with { Size = newSize }));
        return new(Outcome.Changed, Describe(name));
    }

    private SubvolumeInfo Describe(string name) => new SubvolumeLifecycle(session, space).Get(name);

    private void Grow(SubvolumeRecord record, string image, long oldSize, long newSize, bool growOnly)
    {
        space.AdmitGrowth(record, oldSize, newSize, $"growing {Printable.Quote(record.Name)} by {ByteSize.Format(newSize - oldSize)}");
        var mount = ImageMounts.FindWritable(image);
        IReadOnlyList<LoopDeviceInfo> blockDevices = growOnly && ImageMounts.Find(image).Count == 0 ? ImageMounts.LoopDevices(image) : [];
        if (mount is null && blockDevices.Count == 0)
        {
            ImageMounts.RefuseIfAttached(image, record.Name);
        }

        Files.SetLength(image, newSize);
        try
        {
            if (record.Provisioning == Provisioning.Guaranteed)
            {
                Files.Preallocate(image, oldSize, newSize - oldSize);
            }

            if (blockDevices.Count > 0)
            {
                foreach (var device in blockDevices)
                {
                    LoopDevice.RefreshCapacity(device.DevicePath);
                }
            }
            else
            {
                GrowFileSystem(record, image, mount);
            }
        }
        catch (Exception exception) when (exception is SystemCallException or ExternalToolException or IOException)
        {
            // Put the image back, so that metadata, image and filesystem keep agreeing on the old size.
            Files.SetLength(image, oldSize);
            if (mount is not null)
            {
                LoopDevice.RefreshCapacity(mount.Source);
            }

            if (exception is ExternalToolException { StandardError: var error } && error.Contains("Permission denied", StringComparison.Ordinal))
            {
                throw SubvolException.NotSupported(
                    $"growing the mounted ext4 in {Printable.Quote(record.Name)} needs the CAP_SYS_RESOURCE capability, which this process lacks (nothing was changed)",
                    new Remedy.Unmount(session.Path, record.Name));
            }

            throw;
        }
    }

    private void GrowFileSystem(SubvolumeRecord record, string image, MountEntry? mount)
    {
        if (mount is not null)
        {
            LoopDevice.RefreshCapacity(mount.Source);
            if (record.FileSystem == FileSystemKind.Xfs)
            {
                Tools.GrowXfs(mount.Target);
            }
            else
            {
                Tools.ResizeExt4(mount.Source, sizeBytes: null);
            }

            return;
        }

        if (record.FileSystem == FileSystemKind.Ext4)
        {
            Files.RunOn(image, target =>
            {
                Tools.CheckExt4(target);
                Tools.ResizeExt4(target, sizeBytes: null);
            });
            return;
        }

        // xfs_growfs works only on a mounted filesystem, so mount it privately for the moment.
        var target = Directory.CreateTempSubdirectory("subvol-grow-").FullName;
        try
        {
            ImageMounts.Mount(Files, image, target, FileSystemKind.Xfs, readOnly: false, options: FileSystemKind.SubvolumeMountOptions(FileSystemKind.Xfs));
            try
            {
                Tools.GrowXfs(target);
            }
            finally
            {
                ImageMounts.Unmount(image);
            }
        }
        finally
        {
            Directory.Delete(target);
        }
    }

    private void Shrink(SubvolumeRecord record, string image, long newSize)
    {
        if (record.FileSystem == FileSystemKind.Xfs)
        {
            throw SubvolException.NotSupported(
                $"subvolume {Printable.Quote(record.Name)} holds XFS, which cannot shrink; create a smaller subvolume and copy the data into it");
        }

        if (ImageMounts.FindWritable(image) is not null)
        {
            throw SubvolException.Busy("ext4 shrinks only while unmounted", new Remedy.Unmount(session.Path, record.Name));
        }

        ImageMounts.RefuseIfAttached(image, record.Name);
        Files.RunOn(image, target =>
        {
            Tools.CheckExt4(target);
            Tools.ResizeExt4(target, newSize);
        });
        Files.SetLength(image, newSize);
    }
}
