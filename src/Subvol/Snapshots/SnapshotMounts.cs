using Subvol.Metadata;
using Subvol.Pools;
using Subvol.Subvolumes;

namespace Subvol.Snapshots;

/// <summary>
/// Where the pool's snapshot images are mounted, by subvolume and snapshot name, from the kernel's loop devices and
/// mounts read for one listing. A machine has a few loop devices and a pool may have thousands of snapshots, so the
/// backing files of the few are read as snapshot names, rather than the path of every snapshot made to be looked up.
/// </summary>
internal sealed class SnapshotMounts
{
    private readonly Dictionary<(string Subvolume, string Snapshot), string> _mountPoints = [];

    public SnapshotMounts(MountTable mounts, PoolLayout layout)
    {
        foreach (var image in mounts.Images)
        {
            if (layout.SnapshotOfImage(image) is { } snapshot && mounts.MountPointOf(image) is { } mountPoint)
            {
                _mountPoints[snapshot] = mountPoint;
            }
        }
    }

    /// <summary>Where the snapshot's image is mounted, as <see cref="MountTable.MountPointOf"/> says for its path, or null.</summary>
    public string? MountPointOf(SnapshotRecord record) => _mountPoints.GetValueOrDefault((record.SubvolumeName, record.Name));
}
