using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// fsync(2) that reports every failure. FileStream.Flush(true) and RandomAccess.FlushToDisk were
/// seen here returning normally while fsync failed with ENOSPC on a full host, and a receive must
/// never publish data whose sync failed.
/// </summary>
public static class FileSync
{
    public static void Flush(SafeFileHandle handle, string path) => Interop.CheckIo(Interop.Libc.Fsync(handle), "fsync", path);

    /// <summary>Starts writing a range's dirty pages to the device without waiting, so that a later fsync finds little left to do.</summary>
    public static void StartWriteback(SafeFileHandle handle, string path, long offset, long length) =>
        Interop.CheckIo(Interop.Libc.SyncFileRange(handle, offset, length, Interop.Libc.SYNC_FILE_RANGE_WRITE), "sync_file_range", path);

    /// <summary>Writes a range's dirty pages to the device and waits for them; the metadata that reaches them still needs <see cref="Flush(SafeFileHandle, string)"/>.</summary>
    public static void Writeback(SafeFileHandle handle, string path, long offset, long length) =>
        Interop.CheckIo(
            Interop.Libc.SyncFileRange(handle, offset, length, Interop.Libc.SYNC_FILE_RANGE_WAIT_BEFORE | Interop.Libc.SYNC_FILE_RANGE_WRITE | Interop.Libc.SYNC_FILE_RANGE_WAIT_AFTER),
            "sync_file_range", path);

    /// <summary>Syncs a directory, so that a name just created or renamed in it survives a crash.</summary>
    public static void FlushDirectory(string path)
    {
        using var handle = Interop.CheckIo(Interop.Libc.Open(path, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY | Interop.Libc.O_CLOEXEC, 0), "open", path);
        Flush(handle, path);
    }

    public static void Flush(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        Flush(handle, path);
    }
}
