namespace Subvol;

/// <summary>
/// Tells whether an image was written since Subvol last made it match a snapshot. Subvol gives the
/// idle image a modification time already past; any later write, through a loop device or not,
/// moves that time to the present, and so does a read-write mount.
/// </summary>
internal static class WriteStamp
{
    public static DateTime Apply(string image)
    {
        // Whole seconds and one second back: the kernel's coarse clock cannot give a later write this time.
        var now = DateTime.UtcNow;
        var stamp = new DateTime(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond) - TimeSpan.TicksPerSecond, DateTimeKind.Utc);
        File.SetLastWriteTimeUtc(image, stamp);
        return stamp;
    }

    /// <summary>Without a stamp nothing proves the image unwritten, so it counts as written.</summary>
    public static bool WrittenSince(string image, DateTime? stamp) =>
        stamp is not { } expected || File.GetLastWriteTimeUtc(image) != expected;
}
