using Subvol.Linux;

namespace Subvol.Subvolumes;

/// <summary>
/// The kernel's loop devices and mounts, read once for a listing: asking <see cref="ImageMounts.Find"/>
/// per image scans every /sys/block/loop* each time, which made a listing of thousands of snapshots
/// cost seconds. Devices are matched by the backing path the kernel reports, so a listing shows every
/// mount Subvol made; unlike <see cref="ImageMounts.Find"/>, which matches by inode for the refusals
/// that must not miss one, it does not show a mount of a device attached by hand through another link.
/// </summary>
internal sealed class MountTable
{
    private readonly Dictionary<string, List<string>> _devicesByImage;
    private readonly Dictionary<string, (int Order, string Target)> _firstMountBySource;

    private MountTable(Dictionary<string, List<string>> devicesByImage, Dictionary<string, (int Order, string Target)> firstMountBySource)
    {
        _devicesByImage = devicesByImage;
        _firstMountBySource = firstMountBySource;
    }

    public static MountTable Read()
    {
        var devicesByImage = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var device in LoopDevice.List())
        {
            if (!devicesByImage.TryGetValue(device.BackingFile, out var devices))
            {
                devicesByImage[device.BackingFile] = devices = [];
            }

            devices.Add(device.DevicePath);
        }

        var firstMountBySource = new Dictionary<string, (int Order, string Target)>(StringComparer.Ordinal);
        if (devicesByImage.Count > 0)
        {
            var mounts = Mounts.Read();
            for (var order = 0; order < mounts.Count; order++)
            {
                firstMountBySource.TryAdd(mounts[order].Source, (order, mounts[order].Target));
            }
        }

        return new MountTable(devicesByImage, firstMountBySource);
    }

    /// <summary>A table in which no image is mounted, for images known to be mounted nowhere without asking the kernel.</summary>
    public static MountTable Empty { get; } = new([], []);

    /// <summary>Where the image is mounted (its first mount in mountinfo's order, as <see cref="ImageMounts.Find"/> lists them), or null.</summary>
    public string? MountPointOf(string image)
    {
        if (!_devicesByImage.TryGetValue(Path.GetFullPath(image), out var devices))
        {
            return null;
        }

        (int Order, string Target)? first = null;
        foreach (var device in devices)
        {
            if (_firstMountBySource.TryGetValue(device, out var mount) && (first is null || mount.Order < first.Value.Order))
            {
                first = mount;
            }
        }

        return first?.Target;
    }
}
