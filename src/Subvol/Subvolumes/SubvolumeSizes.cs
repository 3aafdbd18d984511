using Subvol.Names;

namespace Subvol.Subvolumes;

/// <summary>The sizes a subvolume can have: whole MiB, at least its filesystem's minimum, at most what one image can hold.</summary>
public static class SubvolumeSizes
{
    /// <summary>Sizes are whole MiB, which every filesystem and loop device here divides evenly.</summary>
    public const long Unit = 1L << 20;

    /// <summary>The largest image a pool accepts, far below what a file offset can address.</summary>
    public const long Largest = 1L << 56;

    /// <summary>The size a subvolume asked to hold <paramref name="bytes"/> gets: at least the filesystem's minimum, rounded up to whole MiB.</summary>
    public static long AtLeast(long bytes, string fileSystem) => ByteSize.RoundUp(Math.Max(bytes, FileSystemKind.MinimumSize(fileSystem)), Unit);

    /// <summary>The largest size, in whole MiB, that fits in <paramref name="bytes"/>; 0 when none does.</summary>
    public static long AtMost(long bytes) => Math.Max(0, bytes / Unit * Unit);
}
