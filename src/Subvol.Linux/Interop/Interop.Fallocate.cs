using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int FALLOC_FL_KEEP_SIZE = 1;
        internal const int FALLOC_FL_PUNCH_HOLE = 2;

        [LibraryImport(LibraryName, EntryPoint = "fallocate", SetLastError = true)]
        internal static partial int Fallocate(SafeHandle fd, int mode, long offset, long len);
    }
}
