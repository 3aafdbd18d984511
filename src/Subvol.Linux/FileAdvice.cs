using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>posix_fadvise(2): tells the kernel which parts of a file will be read soon.</summary>
public static class FileAdvice
{
    /// <summary>The kernel reads at most the device's readahead size per advice, often 128 KiB; longer ranges go in pieces of that.</summary>
    private const long Piece = 128 << 10;

    /// <summary>Starts reading the range into the page cache without waiting, so that many reads reach the device at once.</summary>
    public static void WillNeed(SafeFileHandle handle, string path, long offset, long length)
    {
        if (length <= 0)
        {
            // Zero means "to the end of the file" to the kernel, and a negative length is its to refuse.
            Advise(handle, path, offset, length);
            return;
        }

        for (var at = offset; at < offset + length; at += Piece)
        {
            Advise(handle, path, at, Math.Min(Piece, offset + length - at));
        }
    }

    private static void Advise(SafeFileHandle handle, string path, long offset, long length)
    {
        var error = Interop.Libc.PosixFadvise(handle, offset, length, Interop.Libc.POSIX_FADV_WILLNEED);
        if (error != 0)
        {
            throw new SystemCallException("posix_fadvise", path, error);
        }
    }
}
