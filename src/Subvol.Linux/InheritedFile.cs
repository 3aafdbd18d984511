using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// Hands a file this process opened to a program it runs, as /proc/self/fd/N: the program reaches the very file
/// that was opened and checked, so nothing can be swapped in between. The descriptor is inheritable (FD_CLOEXEC
/// cleared) only for the life of the scope.
/// </summary>
public sealed class InheritedFile : IDisposable
{
    private readonly SafeFileHandle _handle;

    private InheritedFile(SafeFileHandle handle)
    {
        _handle = handle;
        Path = ConfinedDirectory.DescriptorPath(handle);
    }

    /// <summary>The name the program opens; in the child, /proc/self is the child, which holds the same descriptor number.</summary>
    public string Path { get; }

    public static InheritedFile Share(SafeFileHandle handle, string path)
    {
        Interop.CheckIo(Interop.Libc.Fcntl(handle, Interop.Libc.F_SETFD, 0), "fcntl(F_SETFD)", path);
        return new InheritedFile(handle);
    }

    /// <summary>Makes the descriptor close-on-exec again; never throws.</summary>
    public void Dispose()
    {
        if (!_handle.IsClosed)
        {
            _ = Interop.Libc.Fcntl(_handle, Interop.Libc.F_SETFD, Interop.Libc.FD_CLOEXEC);
        }
    }
}
