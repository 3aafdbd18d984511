using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int AT_FDCWD = -100;
        internal const int AT_STATX_SYNC_AS_STAT = 0;
        internal const int AT_SYMLINK_NOFOLLOW = 0x100;
        internal const int AT_EMPTY_PATH = 0x1000;
        internal const uint STATX_TYPE = 0x1;
        internal const uint STATX_MODE = 0x2;
        internal const uint STATX_UID = 0x8;
        internal const uint STATX_GID = 0x10;
        internal const uint STATX_CTIME = 0x80;
        internal const uint STATX_INO = 0x100;
        internal const uint STATX_SIZE = 0x200;
        internal const uint STATX_BLOCKS = 0x400;

        /// <summary>struct statx_timestamp from linux/stat.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct StatxTimestamp
        {
            public long tv_sec;
            public uint tv_nsec;
            public int __reserved;
        }

        /// <summary>struct statx from linux/stat.h; the same on every architecture, 256 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct StatxBuffer
        {
            public uint stx_mask;
            public uint stx_blksize;
            public ulong stx_attributes;
            public uint stx_nlink;
            public uint stx_uid;
            public uint stx_gid;
            public ushort stx_mode;
            public ushort __spare0;
            public ulong stx_ino;
            public ulong stx_size;
            public ulong stx_blocks;
            public ulong stx_attributes_mask;
            public StatxTimestamp stx_atime;
            public StatxTimestamp stx_btime;
            public StatxTimestamp stx_ctime;
            public StatxTimestamp stx_mtime;
            public uint stx_rdev_major;
            public uint stx_rdev_minor;
            public uint stx_dev_major;
            public uint stx_dev_minor;
            public ulong stx_mnt_id;
            public uint stx_dio_mem_align;
            public uint stx_dio_offset_align;
            public fixed ulong __spare3[12];
        }

        [LibraryImport(LibraryName, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int Statx(int dirfd, string pathname, int flags, uint mask, StatxBuffer* statxbuf);

        /// <summary>statx(2) of an open file: pass an empty path with AT_EMPTY_PATH.</summary>
        [LibraryImport(LibraryName, EntryPoint = "statx", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int Statx(SafeHandle dirfd, string pathname, int flags, uint mask, StatxBuffer* statxbuf);
    }
}
