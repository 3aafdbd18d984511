using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>fsync(2).</summary>
        [LibraryImport(LibraryName, EntryPoint = "fsync", SetLastError = true)]
        internal static partial int Fsync(SafeHandle fd);
    }
}
