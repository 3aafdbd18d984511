using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        // x86_64 system call number (arch/x86/entry/syscalls/syscall_64.tbl); glibc has no wrapper before 2.41.
        internal const long SYS_openat2 = 437;

        internal const int O_PATH = 0x200000;

        internal const ulong RESOLVE_NO_XDEV = 0x01;
        internal const ulong RESOLVE_NO_MAGICLINKS = 0x02;
        internal const ulong RESOLVE_NO_SYMLINKS = 0x04;
        internal const ulong RESOLVE_BENEATH = 0x08;

        /// <summary>struct open_how from linux/openat2.h; 24 bytes.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct OpenHow
        {
            public ulong flags;
            public ulong mode;
            public ulong resolve;
        }

        // syscall(2) is variadic; on x86_64 integer and pointer arguments are passed exactly as fixed ones.
        [LibraryImport(LibraryName, EntryPoint = "syscall", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        private static unsafe partial long Syscall(long number, SafeHandle dirfd, string pathname, OpenHow* how, nuint size);

        /// <summary>openat2(2): returns a file descriptor, or -1 with errno set.</summary>
        internal static unsafe long OpenAt2(SafeHandle dirfd, string pathname, in OpenHow how)
        {
            var copy = how;
            return Syscall(SYS_openat2, dirfd, pathname, &copy, (nuint)sizeof(OpenHow));
        }
    }
}
