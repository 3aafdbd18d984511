using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // The request numbers say "long", but the kernel reads and writes an int (ioctl_iflags(2)).
        internal const ulong FS_IOC_GETFLAGS = 0x80086601;
        internal const ulong FS_IOC_SETFLAGS = 0x40086602;
        internal const int FS_IMMUTABLE_FL = 0x10;

        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int IoctlFlags(SafeHandle fd, ulong request, int* flags);
    }
}
