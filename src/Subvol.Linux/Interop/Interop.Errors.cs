using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

internal static partial class Interop
{
    /// <summary>Returns <paramref name="result"/>, or throws for the last errno when it is negative.</summary>
    internal static int CheckIo(int result, string call, string? path = null)
    {
        if (result < 0)
        {
            throw GetExceptionForLastError(call, path);
        }

        return result;
    }

    /// <summary>Returns <paramref name="result"/>, or throws for the last errno when it is negative.</summary>
    internal static long CheckIo(long result, string call, string? path = null)
    {
        if (result < 0)
        {
            throw GetExceptionForLastError(call, path);
        }

        return result;
    }

    /// <summary>Returns <paramref name="handle"/>, or disposes it and throws for the last errno when it is invalid.</summary>
    internal static SafeFileHandle CheckIo(SafeFileHandle handle, string call, string? path = null)
    {
        if (handle.IsInvalid)
        {
            var exception = GetExceptionForLastError(call, path);
            handle.Dispose();
            throw exception;
        }

        return handle;
    }

    internal static SystemCallException GetExceptionForLastError(string call, string? path) =>
        new(call, path, Marshal.GetLastPInvokeError());

    /// <summary>The symbolic name of an errno value, as errno(3) spells it.</summary>
    internal static string ErrnoName(int errno) => errno switch
    {
        1 => "EPERM",
        2 => "ENOENT",
        3 => "ESRCH",
        4 => "EINTR",
        5 => "EIO",
        6 => "ENXIO",
        7 => "E2BIG",
        9 => "EBADF",
        10 => "ECHILD",
        11 => "EAGAIN",
        12 => "ENOMEM",
        13 => "EACCES",
        14 => "EFAULT",
        15 => "ENOTBLK",
        16 => "EBUSY",
        17 => "EEXIST",
        18 => "EXDEV",
        19 => "ENODEV",
        20 => "ENOTDIR",
        21 => "EISDIR",
        22 => "EINVAL",
        23 => "ENFILE",
        24 => "EMFILE",
        25 => "ENOTTY",
        26 => "ETXTBSY",
        27 => "EFBIG",
        28 => "ENOSPC",
        29 => "ESPIPE",
        30 => "EROFS",
        31 => "EMLINK",
        32 => "EPIPE",
        36 => "ENAMETOOLONG",
        38 => "ENOSYS",
        39 => "ENOTEMPTY",
        40 => "ELOOP",
        61 => "ENODATA",
        75 => "EOVERFLOW",
        95 => "EOPNOTSUPP",
        110 => "ETIMEDOUT",
        116 => "ESTALE",
        117 => "EUCLEAN",
        122 => "EDQUOT",
        _ => "E" + errno.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>The C library's text for an errno value, as strerror(3) gives it.</summary>
    internal static string ErrnoMessage(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
