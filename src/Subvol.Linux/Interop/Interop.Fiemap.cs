using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const ulong FS_IOC_FIEMAP = 0xC020660B;
        internal const uint FIEMAP_FLAG_SYNC = 0x00000001;
        internal const ulong FIEMAP_MAX_OFFSET = ulong.MaxValue;
        internal const uint FIEMAP_EXTENT_LAST = 0x00000001;

        /// <summary>struct fiemap from linux/fiemap.h, without its flexible array of extents.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct Fiemap
        {
            public ulong fm_start;
            public ulong fm_length;
            public uint fm_flags;
            public uint fm_mapped_extents;
            public uint fm_extent_count;
            public uint fm_reserved;
        }

        /// <summary>struct fiemap_extent from linux/fiemap.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct FiemapExtent
        {
            public ulong fe_logical;
            public ulong fe_physical;
            public ulong fe_length;
            public fixed ulong fe_reserved64[2];
            public uint fe_flags;
            public fixed uint fe_reserved[3];
        }
    }
}
