using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AT_SYMLINK_FOLLOW = 0x400;

        /// <summary>linkat(2), with the old name given relative to the working directory (a /proc/self/fd path).</summary>
        [LibraryImport(LibraryName, EntryPoint = "linkat", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int LinkAt(int olddirfd, string oldpath, SafeHandle newdirfd, string newpath, int flags);
    }
}
