using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        [LibraryImport(LibraryName, EntryPoint = "mkdirat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int MkdirAt(SafeHandle dirfd, string pathname, int mode);
    }
}
