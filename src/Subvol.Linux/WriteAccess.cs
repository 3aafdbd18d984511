using System.Runtime.InteropServices;

namespace Subvol.Linux;

/// <summary>Whether a path could be written, asked of the kernel without writing (access(2) with W_OK).</summary>
public static class WriteAccess
{
    /// <summary>
    /// 0 when the path could be written, else the errno that writing would meet: EROFS for a
    /// read-only filesystem or bind mount, EACCES or EPERM (an immutable file) for permission,
    /// ENOENT for a path that does not exist.
    /// </summary>
    public static int Check(string path) =>
        Interop.Libc.Access(path, Interop.Libc.W_OK) == 0 ? 0 : Marshal.GetLastPInvokeError();
}
