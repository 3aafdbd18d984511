using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AT_REMOVEDIR = 0x200;

        /// <summary>unlinkat(2): removes the name itself, never what a symbolic link there points to.</summary>
        [LibraryImport(LibraryName, EntryPoint = "unlinkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int UnlinkAt(SafeHandle dirfd, string pathname, int flags);
    }
}
