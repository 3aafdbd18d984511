using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // _IOR('X', 58, struct xfs_fs_eofblocks)
        internal const ulong XFS_IOC_FREE_EOFBLOCKS = 0x8080583A;

        internal const uint XFS_EOFBLOCKS_VERSION = 1;
        internal const uint XFS_EOF_FLAGS_SYNC = 1;
        internal const uint XFS_EOF_FLAGS_MINFILESIZE = 16;

        /// <summary>struct xfs_fs_eofblocks from xfs/xfs_fs.h; 128 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct XfsEofBlocks
        {
            public uint eof_version;
            public uint eof_flags;
            public uint eof_uid;
            public uint eof_gid;
            public uint eof_prid;
            public uint pad32;
            public ulong eof_min_file_size;
            public fixed ulong pad64[12];
        }

        /// <summary>XFS_IOC_FREE_EOFBLOCKS: trims post-EOF preallocations of matching files, then waits for background inode inactivation.</summary>
        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static partial int FreeEofBlocks(SafeHandle fd, ulong request, ref XfsEofBlocks blocks);
    }
}
