using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int F_SETFD = 2;
        internal const int FD_CLOEXEC = 1;
        internal const int F_SETPIPE_SZ = 1031;

        // fcntl(2) is variadic; on x86_64 a third integer argument is passed exactly as a fixed one.
        [LibraryImport(LibraryName, EntryPoint = "fcntl", SetLastError = true)]
        internal static partial int Fcntl(SafeHandle fd, int cmd, int arg);
    }
}
