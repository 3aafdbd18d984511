using Subvol.Errors;
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

    /// <summary>The size rounded up to a whole MiB, or an error saying why it cannot be.</summary>
    public static long Check(long size, string fileSystem)
    {
        size = ByteSize.RoundUp(size, Unit);
        var minimum = FileSystemKind.MinimumSize(fileSystem);
        if (size < minimum)
        {
            throw SubvolException.Invalid($"a {fileSystem} subvolume needs at least {ByteSize.Format(minimum)}; {ByteSize.Format(size)} is too small");
        }

        if (size > Largest)
        {
            throw SubvolException.Invalid($"{ByteSize.Format(size)} is larger than any image this pool can hold");
        }

        return size;
    }
}
