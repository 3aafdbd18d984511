using System.Runtime.InteropServices;

namespace Subvol.Linux;

internal static partial class Interop
{
    internal static partial class Libc
    {
        internal const uint RENAME_NOREPLACE = 1;

        /// <summary>renameat2(2): moves a name, never following a symbolic link at either end.</summary>
        [LibraryImport(LibraryName, EntryPoint = "renameat2", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial int RenameAt2(SafeHandle olddirfd, string oldpath, SafeHandle newdirfd, string newpath, uint flags);
    }
}
