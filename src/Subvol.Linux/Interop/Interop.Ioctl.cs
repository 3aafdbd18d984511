using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // ioctl(2) is variadic; on x86_64 a third integer or pointer argument is passed exactly as a fixed one.
        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int Ioctl(SafeHandle fd, ulong request, void* argp);

        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static partial int Ioctl(SafeHandle fd, ulong request, nint arg);
    }
}
