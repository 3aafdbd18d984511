using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // linux/fscrypt.h: _IOWR('f', 23, struct fscrypt_add_key_arg).
        internal const ulong FS_IOC_ADD_ENCRYPTION_KEY = 0xC0506617;

        /// <summary>struct fscrypt_add_key_arg from linux/fscrypt.h, without its flexible array of raw key bytes that follows it.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct FscryptAddKeyArg
        {
            public FscryptKeySpecifier key_spec;
            public uint raw_size;
            public uint key_id;
            public fixed uint __reserved[8];
        }

        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int IoctlAddEncryptionKey(SafeHandle fd, ulong request, FscryptAddKeyArg* argument);
    }
}
