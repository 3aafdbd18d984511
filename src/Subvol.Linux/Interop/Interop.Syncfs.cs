using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(LibraryName, EntryPoint = "syncfs", SetLastError = true)]
        internal static partial int Syncfs(SafeHandle fd);
    }
}
