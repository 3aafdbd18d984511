using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(LibraryName, EntryPoint = "fchown", SetLastError = true)]
        internal static partial int Fchown(SafeHandle fd, uint owner, uint group);
    }
}
