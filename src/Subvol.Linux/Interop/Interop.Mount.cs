using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const ulong MS_RDONLY = 1;
        internal const ulong MS_NOSUID = 2;
        internal const ulong MS_NODEV = 4;
        internal const ulong MS_NOEXEC = 8;

        internal const int MNT_FORCE = 1;
        internal const int MNT_DETACH = 2;
        internal const int UMOUNT_NOFOLLOW = 8;

        [LibraryImport(LibraryName, EntryPoint = "mount", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Mount(string source, string target, string filesystemtype, ulong mountflags, string? data);

        [LibraryImport(LibraryName, EntryPoint = "umount2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int Umount2(string target, int flags);
    }
}
