using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// Extended attributes (xattr(7)) of a file. The path forms never follow a symbolic link at the
/// last component: they read or write the link's own attributes, so a planted link cannot redirect
/// them. Names carry their namespace, as in "trusted.subvol.identity"; only root may read or write
/// the trusted namespace.
/// </summary>
public static class ExtendedAttribute
{
    // The kernel's limit for one value (XATTR_SIZE_MAX in linux/limits.h).
    private const int MaximumSize = 65536;

    /// <summary>The attribute's value, or null when the file has no attribute of that name.</summary>
    public static unsafe byte[]? Get(string path, string name) =>
        Read(path, (buffer, size) => Interop.Libc.LGetXattr(path, name, buffer, size), "lgetxattr");

    /// <inheritdoc cref="Get(string, string)"/>
    public static unsafe byte[]? Get(SafeFileHandle file, string name, string path) =>
        Read(path, (buffer, size) => Interop.Libc.FGetXattr(file, name, buffer, size), "fgetxattr");

    /// <summary>Creates or replaces the attribute.</summary>
    public static unsafe void Set(string path, string name, ReadOnlySpan<byte> value)
    {
        fixed (byte* bytes = value)
        {
            Interop.CheckIo(Interop.Libc.LSetXattr(path, name, bytes, (nuint)value.Length, 0), "lsetxattr", path);
        }
    }

    /// <inheritdoc cref="Set(string, string, ReadOnlySpan{byte})"/>
    public static unsafe void Set(SafeFileHandle file, string name, ReadOnlySpan<byte> value, string path)
    {
        fixed (byte* bytes = value)
        {
            Interop.CheckIo(Interop.Libc.FSetXattr(file, name, bytes, (nuint)value.Length, 0), "fsetxattr", path);
        }
    }

    /// <summary>Removes the attribute; false when the file had none of that name.</summary>
    public static bool Remove(string path, string name)
    {
        if (Interop.Libc.LRemoveXattr(path, name) == 0)
        {
            return true;
        }

        var exception = Interop.GetExceptionForLastError("lremovexattr", path);
        return exception.Errno == Errno.ENODATA ? false : throw exception;
    }

    private unsafe delegate nint GetCall(byte* buffer, nuint size);

    private static unsafe byte[]? Read(string path, GetCall call, string callName)
    {
        var capacity = 4096;
        while (true)
        {
            var buffer = new byte[capacity];
            nint length;
            fixed (byte* bytes = buffer)
            {
                length = call(bytes, (nuint)buffer.Length);
            }

            if (length >= 0)
            {
                return buffer.AsSpan(0, (int)length).ToArray();
            }

            var exception = Interop.GetExceptionForLastError(callName, path);
            switch (exception.Errno)
            {
                case Errno.ENODATA:
                    return null;
                // The value grew between calls or is larger than the first guess: ask again with room for the largest.
                case Errno.ERANGE when capacity < MaximumSize:
                    capacity = MaximumSize;
                    continue;
                default:
                    throw exception;
            }
        }
    }
}
