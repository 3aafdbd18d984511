using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>Whole-file clones that share data extents with their source (ioctl_ficlone(2)).</summary>
public static class Reflink
{
    // Octal 0600: an image is its owner's business only.
    private const int OwnerReadWrite = 0x180;

    /// <summary>Clones <paramref name="source"/> into a new file <paramref name="destination"/> (mode 0600); removes it on failure.</summary>
    public static void CloneFile(string source, string destination)
    {
        using var from = OpenSource(source);
        var to = Interop.CheckIo(Interop.Libc.Open(destination, Interop.Libc.O_WRONLY | Interop.Libc.O_CREAT | Interop.Libc.O_EXCL | Interop.Libc.O_CLOEXEC, OwnerReadWrite), "open", destination);
        try
        {
            Interop.CheckIo(Interop.Libc.Ficlone(to, from), "FICLONE", destination);
            to.Dispose();
        }
        catch
        {
            to.Dispose();
            File.Delete(destination);
            throw;
        }
    }

    /// <summary>Makes the open file <paramref name="destination"/> share all of <paramref name="source"/>'s data; <paramref name="destinationPath"/> names it in errors.</summary>
    public static void Clone(SafeFileHandle source, SafeFileHandle destination, string destinationPath) =>
        Interop.CheckIo(Interop.Libc.Ficlone(destination, source), "FICLONE", destinationPath);

    /// <summary>
    /// Makes <paramref name="length"/> bytes of <paramref name="destination"/> at <paramref name="offset"/> share the same
    /// range of <paramref name="source"/> (ioctl_ficlonerange(2)); offsets and length must be whole filesystem blocks.
    /// </summary>
    public static unsafe void CloneRange(SafeFileHandle source, SafeFileHandle destination, long offset, long length, string destinationPath)
    {
        var range = new Interop.Libc.FileCloneRange
        {
            src_fd = source.DangerousGetHandle(),
            src_offset = (ulong)offset,
            src_length = (ulong)length,
            dest_offset = (ulong)offset,
        };
        var added = false;
        source.DangerousAddRef(ref added);
        try
        {
            Interop.CheckIo(Interop.Libc.FicloneRange(destination, Interop.Libc.FICLONERANGE, &range), "FICLONERANGE", destinationPath);
        }
        finally
        {
            if (added)
            {
                source.DangerousRelease();
            }
        }
    }

    /// <summary>Clones <paramref name="source"/> over the existing file <paramref name="destination"/>, replacing all its contents.</summary>
    public static void CloneOver(string source, string destination)
    {
        using var from = OpenSource(source);

        // FICLONE replaces only the range it covers, so a longer destination would keep its tail without O_TRUNC.
        using var to = Interop.CheckIo(Interop.Libc.Open(destination, Interop.Libc.O_WRONLY | Interop.Libc.O_TRUNC | Interop.Libc.O_CLOEXEC, 0), "open", destination);
        Interop.CheckIo(Interop.Libc.Ficlone(to, from), "FICLONE", destination);
    }

    /// <summary>Whether files in <paramref name="directory"/> can be cloned, found by cloning a small temporary file there.</summary>
    public static bool IsSupported(string directory)
    {
        var probe = Path.Combine(directory, $".reflink-probe-{Environment.ProcessId}-{Guid.NewGuid():N}");
        var clone = probe + ".clone";
        try
        {
            File.WriteAllBytes(probe, new byte[4096]);
            CloneFile(probe, clone);
            return true;
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.EOPNOTSUPP or Errno.EXDEV or Errno.EINVAL or Errno.ENOTTY)
        {
            return false;
        }
        finally
        {
            File.Delete(clone);
            File.Delete(probe);
        }
    }

    private static SafeFileHandle OpenSource(string source) =>
        Interop.CheckIo(Interop.Libc.Open(source, Interop.Libc.O_RDONLY | Interop.Libc.O_CLOEXEC, 0), "open", source);
}
