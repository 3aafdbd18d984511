using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>lgetxattr(2): on a symbolic link, reads the link's own attribute, never its target's.</summary>
        [LibraryImport(LibraryName, EntryPoint = "lgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial nint LGetXattr(string path, string name, byte* value, nuint size);

        /// <summary>lsetxattr(2).</summary>
        [LibraryImport(LibraryName, EntryPoint = "lsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int LSetXattr(string path, string name, byte* value, nuint size, int flags);

        /// <summary>lremovexattr(2).</summary>
        [LibraryImport(LibraryName, EntryPoint = "lremovexattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int LRemoveXattr(string path, string name);

        /// <summary>fgetxattr(2).</summary>
        [LibraryImport(LibraryName, EntryPoint = "fgetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial nint FGetXattr(SafeHandle fd, string name, byte* value, nuint size);

        /// <summary>fsetxattr(2).</summary>
        [LibraryImport(LibraryName, EntryPoint = "fsetxattr", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int FSetXattr(SafeHandle fd, string name, byte* value, nuint size, int flags);
    }
}
