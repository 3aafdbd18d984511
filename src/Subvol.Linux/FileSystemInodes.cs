namespace Subvol.Linux;

/// <summary>Inode totals of the filesystem holding a path, as statfs(2) reports them (f_files, f_ffree).</summary>
public static class FileSystemInodes
{
    public static unsafe (long Total, long Free) Get(string path)
    {
        Interop.Libc.StatfsBuffer buffer;
        Interop.CheckIo(Interop.Libc.Statfs(path, &buffer), "statfs", path);
        return ((long)buffer.f_files, (long)buffer.f_ffree);
    }
}
