namespace Subvol.Linux;

/// <summary>
/// XFS frees an unlinked file's blocks in the background (deferred inode inactivation), so for a moment after an
/// unlink the blocks it shared by reflink still read as shared and the space as used. This waits for that work.
/// </summary>
public static class XfsInactivation
{
    /// <summary>
    /// Waits until XFS has freed every file unlinked so far on the filesystem of <paramref name="directory"/>; false
    /// when it could not ask (not XFS, or the call failed), which leaves the freeing to finish on its own.
    /// </summary>
    public static bool WaitForFrees(string directory)
    {
        using var handle = Interop.Libc.Open(directory, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY | Interop.Libc.O_CLOEXEC, 0);
        if (handle.IsInvalid)
        {
            return false;
        }

        // A minimum file size no file reaches makes the scan trim nothing; the synchronous scan then waits for inactivation.
        var request = new Interop.Libc.XfsEofBlocks
        {
            eof_version = Interop.Libc.XFS_EOFBLOCKS_VERSION,
            eof_flags = Interop.Libc.XFS_EOF_FLAGS_SYNC | Interop.Libc.XFS_EOF_FLAGS_MINFILESIZE,
            eof_min_file_size = ulong.MaxValue,
        };
        return Interop.Libc.FreeEofBlocks(handle, Interop.Libc.XFS_IOC_FREE_EOFBLOCKS, ref request) == 0;
    }
}
