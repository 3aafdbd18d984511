using Csi.V1;
using Subvol.Daemon.Errors;

namespace Subvol.Daemon.Csi;

/// <summary>How a CSI capacity range becomes a subvolume size, of the sizes the engine makes (<see cref="SubvolumeSizes"/>).</summary>
internal static class Capacity
{
    /// <summary>
    /// The size to provision: the required bytes, or the smallest the filesystem allows when none are
    /// required, and never below <paramref name="floor"/> (a source's size), rounded up to whole MiB.
    /// OUT_OF_RANGE when that exceeds the limit, as CSI's "Unsupported capacity" says.
    /// </summary>
    public static long Resolve(CapacityRange? range, string fileSystem, long floor = 0)
    {
        var required = range?.RequiredBytes ?? 0;
        var limit = range?.LimitBytes ?? 0;
        if (required < 0 || limit < 0)
        {
            throw ErrorStatus.Invalid("capacity_range cannot be negative");
        }

        if (limit > 0 && required > limit)
        {
            throw ErrorStatus.OutOfRange($"capacity_range asks for at least {required} bytes but at most {limit}");
        }

        var size = SubvolumeSizes.AtLeast(Math.Max(required, floor), fileSystem);
        if (limit > 0 && size > limit)
        {
            throw ErrorStatus.OutOfRange(
                $"the smallest {fileSystem} volume here is {size} bytes ({ByteSize.Format(size)}, whole MiB of at least {ByteSize.Format(FileSystemKind.MinimumSize(fileSystem))}), above the limit of {limit} bytes");
        }

        if (size > SubvolumeSizes.Largest)
        {
            throw ErrorStatus.OutOfRange($"{required} bytes is larger than any volume a pool can hold");
        }

        return size;
    }

    /// <summary>Whether an existing volume of <paramref name="size"/> bytes satisfies a range.</summary>
    public static bool Satisfies(CapacityRange? range, long size) =>
        range is null || (size >= range.RequiredBytes && (range.LimitBytes == 0 || size <= range.LimitBytes));
}
