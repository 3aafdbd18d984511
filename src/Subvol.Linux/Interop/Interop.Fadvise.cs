using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int POSIX_FADV_WILLNEED = 3;

        /// <summary>posix_fadvise(2); returns the error number itself rather than setting errno.</summary>
        [LibraryImport(LibraryName, EntryPoint = "posix_fadvise")]
        internal static partial int PosixFadvise(SafeHandle fd, long offset, long length, int advice);
    }
}
