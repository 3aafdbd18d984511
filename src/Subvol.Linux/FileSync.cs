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

    public static void Flush(string path)
    {
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Write);
        Flush(handle, path);
    }
}
