using Subvol.Pools;

namespace Subvol.Subvolumes;

/// <summary>
/// Tells whether an image was written since Subvol last made it match a snapshot. Subvol gives the
/// idle image a modification time already past; any later write, through a loop device or not,
/// moves that time to the present, and so does a read-write mount.
/// </summary>
internal static class WriteStamp
{
    public static DateTime Apply(Pools.PoolFiles files, string image)
    {
        // Whole seconds and one second back: the kernel's coarse clock cannot give a later write this time.
        // The real clock, not Clock.Now: this stamp is compared with the modification times the kernel gives writes.
        var now = DateTime.UtcNow;
        var stamp = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond) - TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        using var file = files.OpenFile(image, FileAccess.Write);
        File.SetLastWriteTimeUtc(file, stamp);
        return stamp;
    }

    /// <summary>Without a stamp nothing proves the image unwritten, so it counts as written.</summary>
    public static bool WrittenSince(Pools.PoolFiles files, string image, DateTime? stamp)
    {
        if (stamp is not { } expected || files.Status(image).Kind != Linux.EntryKind.File)
        {
            return true;
        }

        using var file = files.OpenFile(image, FileAccess.Read);
        return File.GetLastWriteTimeUtc(file) != expected;
    }
}
