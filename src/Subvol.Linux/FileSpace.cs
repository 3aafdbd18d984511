using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>How much of a file is allocated, and where its data and holes are.</summary>
public static class FileSpace
{
    /// <summary>Bytes allocated to <paramref name="path"/> (statx(2) stx_blocks, which counts 512-byte units).</summary>
    public static unsafe long AllocatedBytes(string path)
    {
        Interop.Libc.StatxBuffer buffer;
        Interop.CheckIo(Interop.Libc.Statx(Interop.Libc.AT_FDCWD, path, Interop.Libc.AT_STATX_SYNC_AS_STAT, Interop.Libc.STATX_BLOCKS, &buffer), "statx", path);
        return (long)buffer.stx_blocks * 512;
    }

    /// <summary>Allocates the range so later writes to it cannot fail for lack of space (fallocate(2) mode 0).</summary>
    public static void Preallocate(string path, long offset, long length)
    {
        using var file = OpenForWriting(path);
        Preallocate(file, path, offset, length);
    }

    /// <summary>Allocates the range of an open file; <paramref name="path"/> names it in errors.</summary>
    public static void Preallocate(SafeFileHandle file, string path, long offset, long length) =>
        Interop.CheckIo(Interop.Libc.Fallocate(file, 0, offset, length), "fallocate", path);

    /// <summary>Frees the range's blocks, which then read as zeros, keeping the file's size.</summary>
    public static void PunchHole(string path, long offset, long length)
    {
        using var file = OpenForWriting(path);
        PunchHole(file, path, offset, length);
    }

    /// <summary>Frees a range of an open file; <paramref name="path"/> names it in errors.</summary>
    public static void PunchHole(SafeFileHandle file, string path, long offset, long length) =>
        Interop.CheckIo(Interop.Libc.Fallocate(file, Interop.Libc.FALLOC_FL_PUNCH_HOLE | Interop.Libc.FALLOC_FL_KEEP_SIZE, offset, length), "fallocate", path);

    /// <summary>The ranges that hold data, found with lseek(2) SEEK_DATA and SEEK_HOLE; everything else is a hole.</summary>
    public static IReadOnlyList<FileRange> DataRanges(string path)
    {
        using var file = Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0), "open", path);
        var ranges = new List<FileRange>();
        long offset = 0;
        while (true)
        {
            var data = Interop.Libc.Lseek(file, offset, Interop.Libc.SEEK_DATA);
            if (data < 0)
            {
                var exception = Interop.GetExceptionForLastError("lseek(SEEK_DATA)", path);

                // ENXIO: no data at or after the offset.
                return exception.Errno == Errno.ENXIO ? ranges : throw exception;
            }

            var hole = Interop.CheckIo(Interop.Libc.Lseek(file, data, Interop.Libc.SEEK_HOLE), "lseek(SEEK_HOLE)", path);
            ranges.Add(new FileRange(data, hole - data));
            offset = hole;
        }
    }

    private static SafeFileHandle OpenForWriting(string path) =>
        Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_WRONLY | Interop.Libc.O_CLOEXEC, 0), "open", path);
}
