using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int SEEK_SET = 0;
        internal const int SEEK_DATA = 3;
        internal const int SEEK_HOLE = 4;

        [LibraryImport(LibraryName, EntryPoint = "lseek", SetLastError = true)]
        internal static partial long Lseek(SafeHandle fd, long offset, int whence);
    }
}
