using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(LibraryName, EntryPoint = "fchmod", SetLastError = true)]
        internal static partial int Fchmod(SafeHandle fd, int mode);
    }
}
