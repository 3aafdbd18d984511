using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // linux/fscrypt.h: _IOWR('f', 22, __u8[9]), the size field and the version byte.
        internal const ulong FS_IOC_GET_ENCRYPTION_POLICY_EX = 0xC0096616;

        /// <summary>struct fscrypt_get_policy_ex_arg from linux/fscrypt.h, with room for the largest policy (v2).</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct FscryptGetPolicyExArg
        {
            public ulong policy_size;
            public FscryptPolicyV2 policy;
        }

        [LibraryImport(LibraryName, EntryPoint = "ioctl", SetLastError = true)]
        internal static unsafe partial int IoctlGetEncryptionPolicyEx(SafeHandle fd, ulong request, FscryptGetPolicyExArg* argument);
    }
}
