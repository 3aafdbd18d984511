using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const int SIGKILL = 9;

        [LibraryImport(LibraryName, EntryPoint = "kill", SetLastError = true)]
        internal static partial int Kill(int pid, int sig);
    }
}
