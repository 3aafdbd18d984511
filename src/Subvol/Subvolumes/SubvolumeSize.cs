using Subvol.Errors;
using Subvol.Names;

namespace Subvol.Subvolumes;

/// <summary>The sizes a subvolume may have: whole mebibytes, at least what its filesystem needs, at most what an image can be.</summary>
internal static class SubvolumeSize
{
    /// <summary>The size rounded up to a whole mebibyte, or an error saying why it cannot be.</summary>
    public static long Check(long size, string fileSystem)
    {
        size = ByteSize.RoundUp(size, 1 << 20);
        var minimum = FileSystemKind.MinimumSize(fileSystem);
        if (size < minimum)
        {
            throw SubvolException.Invalid($"a {fileSystem} subvolume needs at least {ByteSize.Format(minimum)}; {ByteSize.Format(size)} is too small");
        }

        if (size > 1L << 56)
        {
            throw SubvolException.Invalid($"{ByteSize.Format(size)} is larger than any image this pool can hold");
        }

        return size;
    }
}
