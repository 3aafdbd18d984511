using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const ulong LOOP_CLR_FD = 0x4C01;
        internal const ulong LOOP_GET_STATUS64 = 0x4C05;
        internal const ulong LOOP_SET_CAPACITY = 0x4C07;
        internal const ulong LOOP_CONFIGURE = 0x4C0A;
        internal const ulong LOOP_CTL_GET_FREE = 0x4C82;

        internal const uint LO_FLAGS_READ_ONLY = 1;
        internal const uint LO_FLAGS_AUTOCLEAR = 4;
        internal const uint LO_FLAGS_PARTSCAN = 8;
        internal const uint LO_FLAGS_DIRECT_IO = 16;

        internal const int LO_NAME_SIZE = 64;
        internal const int LO_KEY_SIZE = 32;

        /// <summary>struct loop_info64 from linux/loop.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct LoopInfo64
        {
            public ulong lo_device;
            public ulong lo_inode;
            public ulong lo_rdevice;
            public ulong lo_offset;
            public ulong lo_sizelimit;
            public uint lo_number;
            public uint lo_encrypt_type;
            public uint lo_encrypt_key_size;
            public uint lo_flags;
            public fixed byte lo_file_name[LO_NAME_SIZE];
            public fixed byte lo_crypt_name[LO_NAME_SIZE];
            public fixed byte lo_encrypt_key[LO_KEY_SIZE];
            public fixed ulong lo_init[2];
        }

        /// <summary>struct loop_config from linux/loop.h, the argument of LOOP_CONFIGURE.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct LoopConfig
        {
            public uint fd;
            public uint block_size;
            public LoopInfo64 info;
            public fixed ulong __reserved[8];
        }
    }
}
