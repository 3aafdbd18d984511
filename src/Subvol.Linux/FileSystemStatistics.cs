namespace Subvol.Linux;

/// <summary>Size and free space of the filesystem holding a path.</summary>
public static class FileSystemStatistics
{
    public static unsafe FileSystemUsage Get(string path)
    {
        Interop.Libc.StatfsBuffer buffer;
        Interop.CheckIo(Interop.Libc.Statfs(path, &buffer), "statfs", path);

        // Counts are in fragment units (statfs(2) f_frsize); a filesystem that leaves it zero counts in f_bsize.
        var unit = buffer.f_frsize != 0 ? buffer.f_frsize : buffer.f_bsize;
        return new FileSystemUsage(
            (long)buffer.f_blocks * unit,
            (long)buffer.f_bfree * unit,
            (long)buffer.f_bavail * unit,
            unit,
            buffer.f_type);
    }
}
