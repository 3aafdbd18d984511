using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int LOCK_SH = 1;
        internal const int LOCK_EX = 2;
        internal const int LOCK_NB = 4;
        internal const int LOCK_UN = 8;

        [LibraryImport(LibraryName, EntryPoint = "flock", SetLastError = true)]
        internal static partial int Flock(SafeHandle fd, int operation);
    }
}
