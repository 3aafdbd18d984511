namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // linux/fs.h: _IOWR('X', 119, int) and _IOWR('X', 120, int); the argument is ignored.
        internal const ulong FIFREEZE = 0xC0045877;
        internal const ulong FITHAW = 0xC0045878;
    }
}
