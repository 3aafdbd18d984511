using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const uint SYNC_FILE_RANGE_WAIT_BEFORE = 1;
        internal const uint SYNC_FILE_RANGE_WRITE = 2;
        internal const uint SYNC_FILE_RANGE_WAIT_AFTER = 4;

        /// <summary>sync_file_range(2): starts (and optionally waits for) writeback of a file's dirty pages in a range; never a substitute for fsync.</summary>
        [LibraryImport(LibraryName, EntryPoint = "sync_file_range", SetLastError = true)]
        internal static partial int SyncFileRange(SafeHandle fd, long offset, long nbytes, uint flags);
    }
}
