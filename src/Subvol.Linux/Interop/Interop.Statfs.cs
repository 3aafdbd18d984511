using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const long XFS_SUPER_MAGIC = 0x58465342;
        internal const long BTRFS_SUPER_MAGIC = 0x9123683E;
        internal const long EXT4_SUPER_MAGIC = 0xEF53;
        internal const long TMPFS_MAGIC = 0x01021994;

        /// <summary>struct statfs from bits/statfs.h on x86_64.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct StatfsBuffer
        {
            public long f_type;
            public long f_bsize;
            public ulong f_blocks;
            public ulong f_bfree;
            public ulong f_bavail;
            public ulong f_files;
            public ulong f_ffree;
            public fixed int f_fsid[2];
            public long f_namelen;
            public long f_frsize;
            public long f_flags;
            public fixed long f_spare[4];
        }

        [LibraryImport(LibraryName, EntryPoint = "statfs", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static unsafe partial int Statfs(string path, StatfsBuffer* buf);
    }
}
