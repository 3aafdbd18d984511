using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // linux/fscrypt.h: _IOR('f', 19, struct fscrypt_policy_v1); the kernel reads the version byte and then the whole v2 policy.
        internal const ulong FS_IOC_SET_ENCRYPTION_POLICY = 0x800C6613;
        internal const byte FSCRYPT_POLICY_V2 = 2;
        internal const byte FSCRYPT_MODE_AES_256_XTS = 1;
        internal const byte FSCRYPT_MODE_AES_256_CTS = 4;
        internal const byte FSCRYPT_POLICY_FLAGS_PAD_32 = 0x03;

        /// <summary>struct fscrypt_policy_v2 from linux/fscrypt.h.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct FscryptPolicyV2
        {
            public byte version;
            public byte contents_encryption_mode;
            public byte filenames_encryption_mode;
            public byte flags;
            public fixed byte __reserved[4];
            public fixed byte master_key_identifier[FSCRYPT_KEY_IDENTIFIER_SIZE];
        }

        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int IoctlSetEncryptionPolicy(SafeHandle fd, ulong request, FscryptPolicyV2* policy);
    }
}
