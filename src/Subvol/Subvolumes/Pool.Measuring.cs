using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>The usage of a subvolume seen at <paramref name="path"/>: a directory it is mounted on, or a node of its block device.</summary>
    public MountUsage Measure(string name, string path)
    {
        RequireSubvolume(name);
        var image = _layout.SubvolumeImage(name);
        path = NormalizePath(path);
        if (Directory.Exists(path))
        {
            if (!ImageMounts.Find(image).Any(mount => mount.Target == path))
            {
                throw SubvolException.NotFound($"subvolume {Printable.Quote(name)} is not mounted at {path}");
            }

            var usage = FileSystemStatistics.Get(path);
            var (totalInodes, freeInodes) = FileSystemInodes.Get(path);
            return new MountUsage(usage.TotalBytes, usage.AvailableBytes, usage.TotalBytes - usage.FreeBytes, totalInodes, freeInodes);
        }

        if (!File.Exists(path))
        {
            throw SubvolException.NotFound($"{path} does not exist");
        }

        if (!IsNodeOf(path, ImageMounts.LoopDevices(image)))
        {
            throw SubvolException.NotFound($"{path} is not the block device of subvolume {Printable.Quote(name)}");
        }

        return new MountUsage(ImageSize(image), null, null, null, null);
    }
}
