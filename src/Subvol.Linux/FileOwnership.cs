using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>fchown(2): a file made to replace another takes that one's owner and group, as only root may give them.</summary>
public static class FileOwnership
{
    /// <summary>Gives the open file <paramref name="owner"/> and <paramref name="group"/>; false when this process may not (EPERM), so the file stays its own.</summary>
    public static bool TrySet(SafeFileHandle handle, string path, uint owner, uint group)
    {
        if (Interop.Libc.Fchown(handle, owner, group) == 0)
        {
            return true;
        }

        var exception = Interop.GetExceptionForLastError("fchown", path);
        return exception.Errno == Errno.EPERM ? false : throw exception;
    }
}
