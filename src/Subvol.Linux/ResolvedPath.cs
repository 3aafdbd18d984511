using System.Runtime.InteropServices;

namespace Subvol.Linux;

/// <summary>
/// A path as the kernel names what it leads to (realpath(3)): absolute, every symbolic link and "." or ".." resolved.
/// The mount table and loop devices' backing files spell paths this way, so a path compared with them must be too.
/// </summary>
public static class ResolvedPath
{
    /// <summary>
    /// The resolved form of <paramref name="path"/>; the part that does not exist yet is appended unchanged to its
    /// resolved parent, so a directory about to be made resolves as it will be named.
    /// </summary>
    public static string Of(string path)
    {
        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        var missing = new Stack<string>();
        var existing = full;
        while (true)
        {
            var resolved = Interop.Libc.RealPath(existing, 0);
            if (resolved != 0)
            {
                try
                {
                    var result = Marshal.PtrToStringUTF8(resolved)!;
                    while (missing.Count > 0)
                    {
                        result = Path.Combine(result, missing.Pop());
                    }

                    return result;
                }
                finally
                {
                    Interop.Libc.Free(resolved);
                }
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno != Errno.ENOENT || Path.GetDirectoryName(existing) is not { } parent)
            {
                throw new SystemCallException("realpath", existing, errno);
            }

            missing.Push(Path.GetFileName(existing));
            existing = parent;
        }
    }
}
