namespace Subvol.Replication;

/// <summary>
/// A stretch of an image that holds written data, mapped linearly to the device; <paramref name="Comparable"/> is false
/// when the kernel gives no physical address worth comparing (delayed, unknown or encoded extents).
/// </summary>
internal readonly record struct DataSegment(long Start, long End, long Physical, bool Comparable)
{
    public long PhysicalAt(long logical) => Physical + (logical - Start);
}
