using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        /// <summary>realpath(3) with a null buffer: the resolved path is allocated with malloc and given back with <see cref="Free"/>.</summary>
        [LibraryImport(LibraryName, EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial nint RealPath(string path, nint resolved);

        [LibraryImport(LibraryName, EntryPoint = "free")]
        internal static partial void Free(nint pointer);
    }
}
