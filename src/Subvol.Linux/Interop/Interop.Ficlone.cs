using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const ulong FICLONE = 0x40049409;

        /// <summary>ioctl_ficlone(2): share all of <paramref name="srcFd"/>'s data with <paramref name="destFd"/>.</summary>
        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static partial int Ficlone(SafeHandle destFd, ulong request, SafeHandle srcFd);

        internal static int Ficlone(SafeHandle destFd, SafeHandle srcFd) => Ficlone(destFd, FICLONE, srcFd);
    }
}
