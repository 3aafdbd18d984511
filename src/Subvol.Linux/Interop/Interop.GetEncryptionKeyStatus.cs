using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // linux/fscrypt.h: _IOWR('f', 26, struct fscrypt_get_key_status_arg).
        internal const ulong FS_IOC_GET_ENCRYPTION_KEY_STATUS = 0xC080661A;
        internal const uint FSCRYPT_KEY_STATUS_ABSENT = 1;
        internal const uint FSCRYPT_KEY_STATUS_PRESENT = 2;
        internal const uint FSCRYPT_KEY_STATUS_INCOMPLETELY_REMOVED = 3;

        /// <summary>struct fscrypt_get_key_status_arg from linux/fscrypt.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct FscryptGetKeyStatusArg
        {
            public FscryptKeySpecifier key_spec;
            public fixed uint __reserved[6];
            public uint status;
            public uint status_flags;
            public uint user_count;
            public fixed uint __out_reserved[13];
        }

        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int IoctlGetEncryptionKeyStatus(SafeHandle fd, ulong request, FscryptGetKeyStatusArg* argument);
    }
}
