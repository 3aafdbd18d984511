using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // _IOR('X', 31, struct fsxattr) and _IOW('X', 32, struct fsxattr), from <linux/fs.h>.
        internal const ulong FS_IOC_FSGETXATTR = 0x801C581F;
        internal const ulong FS_IOC_FSSETXATTR = 0x401C5820;
        internal const uint FS_XFLAG_COWEXTSIZE = 0x00010000;

        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct FsXattr
        {
            public uint fsx_xflags;
            public uint fsx_extsize;
            public uint fsx_nextents;
            public uint fsx_projid;
            public uint fsx_cowextsize;
            public fixed byte fsx_pad[8];
        }
    }
}
