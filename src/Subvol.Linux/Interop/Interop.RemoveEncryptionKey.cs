using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // linux/fscrypt.h: _IOWR('f', 24, struct fscrypt_remove_key_arg).
        internal const ulong FS_IOC_REMOVE_ENCRYPTION_KEY = 0xC0406618;
        internal const uint FSCRYPT_KEY_REMOVAL_STATUS_FLAG_FILES_BUSY = 0x1;

        /// <summary>struct fscrypt_remove_key_arg from linux/fscrypt.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct FscryptRemoveKeyArg
        {
            public FscryptKeySpecifier key_spec;
            public uint removal_status_flags;
            public fixed uint __reserved[5];
        }

        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int IoctlRemoveEncryptionKey(SafeHandle fd, ulong request, FscryptRemoveKeyArg* argument);
    }
}
