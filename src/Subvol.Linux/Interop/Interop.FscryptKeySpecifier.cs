using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // linux/fscrypt.h: a v2 policy's key is named by the 16-byte identifier the kernel derives from it.
        internal const uint FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER = 2;
        internal const int FSCRYPT_KEY_IDENTIFIER_SIZE = 16;

        /// <summary>struct fscrypt_key_specifier from linux/fscrypt.h: the name of a key, never the key itself.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal unsafe struct FscryptKeySpecifier
        {
            public uint type;
            public uint __reserved;
            public fixed byte u[32];
        }
    }
}
