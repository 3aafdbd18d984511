using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // _IOW(0x94, 13, struct file_clone_range)
        internal const ulong FICLONERANGE = 0x4020940D;

        /// <summary>struct file_clone_range from linux/fs.h; 32 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FileCloneRange
        {
            public long src_fd;
            public ulong src_offset;
            public ulong src_length;
            public ulong dest_offset;
        }

        /// <summary>ioctl_ficlonerange(2): share one range of <c>src_fd</c>'s data with <paramref name="destFd"/> at <c>dest_offset</c>.</summary>
        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int FicloneRange(SafeHandle destFd, ulong request, FileCloneRange* range);
    }
}
