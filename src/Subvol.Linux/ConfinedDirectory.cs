using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Subvol.Linux;

/// <summary>
/// A directory that paths are resolved beneath and never out of: every name is opened with openat2(2)
/// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS, so neither "..", an absolute path, nor a symbolic link at any
/// step can lead elsewhere, and names are removed and moved with unlinkat(2) and renameat2(2), which never
/// follow a link. Paths given to it are relative ("snapshots/home/daily.img"); errors name the full path.
/// </summary>
public sealed class ConfinedDirectory : IDisposable
{
    private const int S_IFMT = 0xF000;
    private const int S_IFREG = 0x8000;
    private const int S_IFDIR = 0x4000;
    private const int S_IFLNK = 0xA000;
    private const ulong Resolve = Interop.Libc.RESOLVE_BENEATH | Interop.Libc.RESOLVE_NO_SYMLINKS;

    private readonly SafeFileHandle _root;

    private ConfinedDirectory(SafeFileHandle root, string path)
    {
        _root = root;
        Root = path;
    }

    public string Root { get; }

    /// <summary>Opens <paramref name="root"/> itself; a link in the root's own path is the administrator's choice and is followed.</summary>
    public static ConfinedDirectory Open(string root)
    {
        var fullPath = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));
        var handle = Interop.CheckIo(Interop.Libc.Open(fullPath, Interop.Libc.O_PATH | Interop.Libc.O_DIRECTORY | Interop.Libc.O_CLOEXEC, 0), "open", fullPath);
        return new ConfinedDirectory(handle, fullPath);
    }

    /// <summary>The path a person would use for <paramref name="relative"/>.</summary>
    public string FullPath(string relative) => relative.Length == 0 ? Root : Root + "/" + relative;

    /// <summary>The name by which a program given this process's descriptor reaches the very file it refers to.</summary>
    public static string DescriptorPath(SafeHandle handle) => "/proc/self/fd/" + handle.DangerousGetHandle().ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Opens an existing regular file; anything else (a link, a device, a FIFO) is refused before it can be used.</summary>
    public SafeFileHandle OpenFile(string relative, FileAccess access)
    {
        var flags = access switch
        {
            FileAccess.Read => Interop.Libc.O_RDONLY,
            FileAccess.Write => Interop.Libc.O_WRONLY,
            _ => Interop.Libc.O_RDWR,
        };

        // O_NONBLOCK: a FIFO planted at the name must not hang the open; it is refused just below.
        var handle = OpenRaw(relative, flags | Interop.Libc.O_NONBLOCK | Interop.Libc.O_NOCTTY, 0);
        if (Status(handle, FullPath(relative)).Kind != EntryKind.File)
        {
            handle.Dispose();
            throw new ConfinementException(FullPath(relative), "is not a regular file");
        }

        return handle;
    }

    /// <summary>Creates a new regular file with exactly <paramref name="mode"/>, whatever the umask; fails if the name exists, even as a link.</summary>
    public SafeFileHandle CreateFile(string relative, int mode)
    {
        var handle = OpenRaw(relative, Interop.Libc.O_RDWR | Interop.Libc.O_CREAT | Interop.Libc.O_EXCL, mode);
        try
        {
            // Before a byte is written: the umask can only take permissions away, and the file must not have more.
            Interop.CheckIo(Interop.Libc.Fchmod(handle, mode), "fchmod", FullPath(relative));
            return handle;
        }
        catch
        {
            handle.Dispose();
            Delete(relative);
            throw;
        }
    }

    /// <summary>
    /// Creates a file with no name in the directory <paramref name="relativeDirectory"/> (O_TMPFILE), with exactly
    /// <paramref name="mode"/>: whatever happens to this process, it vanishes unless <see cref="Link"/> names it.
    /// </summary>
    public SafeFileHandle CreateUnnamedFile(string relativeDirectory, int mode)
    {
        var handle = OpenRaw(relativeDirectory, Interop.Libc.O_RDWR | Interop.Libc.O_TMPFILE, mode);
        try
        {
            Interop.CheckIo(Interop.Libc.Fchmod(handle, mode), "fchmod", FullPath(relativeDirectory));
            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Gives a file made by <see cref="CreateUnnamedFile"/> the name <paramref name="relative"/>, which must not exist.</summary>
    public void Link(SafeFileHandle unnamed, string relative)
    {
        var (parent, name) = OpenParent(relative);
        using (parent)
        {
            Interop.CheckIo(Interop.Libc.LinkAt(Interop.Libc.AT_FDCWD, DescriptorPath(unnamed), parent, name, Interop.Libc.AT_SYMLINK_FOLLOW), "linkat", FullPath(relative));
        }
    }

    /// <summary>Opens a directory for reading (listing it, changing its mode).</summary>
    public SafeFileHandle OpenDirectory(string relative) =>
        OpenRaw(relative, Interop.Libc.O_RDONLY | Interop.Libc.O_DIRECTORY, 0);

    /// <summary>Opens a name without reading or writing it (O_PATH), for example a mount point to mount onto.</summary>
    public SafeFileHandle OpenPath(string relative, bool directory) =>
        OpenRaw(relative, Interop.Libc.O_PATH | (directory ? Interop.Libc.O_DIRECTORY : 0), 0);

    /// <summary>Creates a directory with exactly <paramref name="mode"/>; true if it was made, false if a directory was there already.</summary>
    public bool CreateDirectory(string relative, int mode)
    {
        var (parent, name) = OpenParent(relative);
        using (parent)
        {
            if (Interop.Libc.MkdirAt(parent, name, mode) != 0)
            {
                var exception = Interop.GetExceptionForLastError("mkdirat", FullPath(relative));
                if (exception.Errno != Errno.EEXIST)
                {
                    throw exception;
                }

                if (Status(relative).Kind != EntryKind.Directory)
                {
                    throw new ConfinementException(FullPath(relative), "exists but is not a directory");
                }

                return false;
            }
        }

        using var directory = OpenDirectory(relative);
        Interop.CheckIo(Interop.Libc.Fchmod(directory, mode), "fchmod", FullPath(relative));
        return true;
    }

    /// <summary>What the name is, without following it; Missing when it, or a directory on the way, does not exist.</summary>
    public unsafe EntryStatus Status(string relative)
    {
        var how = new Interop.Libc.OpenHow
        {
            flags = (ulong)(Interop.Libc.O_PATH | Interop.Libc.O_NOFOLLOW | Interop.Libc.O_CLOEXEC),
            resolve = Resolve,
        };

        // With O_PATH | O_NOFOLLOW, openat2 returns a link at the last step itself rather than refusing it (openat2(2)).
        var fd = Interop.Libc.OpenAt2(_root, relative.Length == 0 ? "." : relative, how);
        if (fd < 0)
        {
            var exception = Interop.GetExceptionForLastError("openat2", FullPath(relative));
            return exception.Errno is Errno.ENOENT or Errno.ENOTDIR ? EntryStatus.Missing : throw Confine(exception, relative);
        }

        using var handle = new SafeFileHandle((nint)fd, ownsHandle: true);
        return Status(handle, FullPath(relative));
    }

    /// <summary>What an open file is.</summary>
    public static unsafe EntryStatus Status(SafeFileHandle handle, string path)
    {
        Interop.Libc.StatxBuffer buffer;
        Interop.CheckIo(Interop.Libc.Statx(handle, "", Interop.Libc.AT_EMPTY_PATH | Interop.Libc.AT_SYMLINK_NOFOLLOW, Interop.Libc.STATX_TYPE | Interop.Libc.STATX_MODE | Interop.Libc.STATX_UID | Interop.Libc.STATX_GID | Interop.Libc.STATX_SIZE | Interop.Libc.STATX_BLOCKS | Interop.Libc.STATX_INO | Interop.Libc.STATX_CTIME, &buffer), "statx", path);
        var kind = (buffer.stx_mode & S_IFMT) switch
        {
            S_IFREG => EntryKind.File,
            S_IFDIR => EntryKind.Directory,
            S_IFLNK => EntryKind.SymbolicLink,
            _ => EntryKind.Other,
        };

        return new EntryStatus(kind, buffer.stx_mode & 0xFFF, (long)buffer.stx_size, (long)buffer.stx_blocks * 512)
        {
            Inode = (long)buffer.stx_ino,
            Owner = buffer.stx_uid,
            Group = buffer.stx_gid,
            ChangeTime = (buffer.stx_ctime.tv_sec * 1_000_000_000) + buffer.stx_ctime.tv_nsec,
        };
    }

    /// <summary>The names in a directory, in no particular order.</summary>
    public IReadOnlyList<string> List(string relative)
    {
        using var directory = OpenDirectory(relative);
        return Directory.EnumerateFileSystemEntries(DescriptorPath(directory)).Select(entry => Path.GetFileName(entry)).ToList();
    }

    /// <summary>Removes a name (never what a link there points to); false when it was already gone.</summary>
    public bool Delete(string relative) => Unlink(relative, 0);

    /// <summary>Removes an empty directory; false when it was already gone.</summary>
    public bool DeleteDirectory(string relative) => Unlink(relative, Interop.Libc.AT_REMOVEDIR);

    /// <summary>
    /// Moves a name; without <paramref name="replace"/> it fails with EEXIST when the destination exists
    /// (RENAME_NOREPLACE), with it the destination is replaced in one step.
    /// </summary>
    public void Rename(string from, string to, bool replace)
    {
        var (fromParent, fromName) = OpenParent(from);
        using (fromParent)
        {
            var (toParent, toName) = OpenParent(to);
            using (toParent)
            {
                Interop.CheckIo(Interop.Libc.RenameAt2(fromParent, fromName, toParent, toName, replace ? 0 : Interop.Libc.RENAME_NOREPLACE), "renameat2", FullPath(to));
            }
        }
    }

    /// <summary>Sets the permission bits of an open file or directory.</summary>
    public static void SetMode(SafeFileHandle handle, string path, int mode) =>
        Interop.CheckIo(Interop.Libc.Fchmod(handle, mode), "fchmod", path);

    public void Dispose() => _root.Dispose();

    private bool Unlink(string relative, int flags)
    {
        var (parent, name) = OpenParent(relative);
        using (parent)
        {
            if (Interop.Libc.UnlinkAt(parent, name, flags) == 0)
            {
                return true;
            }

            var exception = Interop.GetExceptionForLastError("unlinkat", FullPath(relative));
            return exception.Errno == Errno.ENOENT ? false : throw exception;
        }
    }

    private (SafeFileHandle Parent, string Name) OpenParent(string relative)
    {
        var slash = relative.LastIndexOf('/');
        var parent = slash < 0 ? "" : relative[..slash];
        var name = relative[(slash + 1)..];
        if (name.Length == 0 || name == "." || name == "..")
        {
            throw new ArgumentException($"'{relative}' does not name an entry", nameof(relative));
        }

        return (OpenRaw(parent, Interop.Libc.O_PATH | Interop.Libc.O_DIRECTORY, 0), name);
    }

    private SafeFileHandle OpenRaw(string relative, int flags, int mode)
    {
        var how = new Interop.Libc.OpenHow
        {
            flags = (ulong)(flags | Interop.Libc.O_CLOEXEC),
            mode = (flags & Interop.Libc.O_CREAT) != 0 || (flags & Interop.Libc.O_TMPFILE) == Interop.Libc.O_TMPFILE ? (ulong)mode : 0,
            resolve = Resolve,
        };

        var fd = Interop.Libc.OpenAt2(_root, relative.Length == 0 ? "." : relative, how);

        // RESOLVE_BENEATH answers EAGAIN when a rename elsewhere raced the lookup; trying again is what openat2(2) asks.
        for (var attempt = 0; fd < 0 && Marshal.GetLastPInvokeError() == Errno.EAGAIN && attempt < 8; attempt++)
        {
            fd = Interop.Libc.OpenAt2(_root, relative.Length == 0 ? "." : relative, how);
        }

        if (fd < 0)
        {
            throw Confine(Interop.GetExceptionForLastError("openat2", FullPath(relative)), relative);
        }

        return new SafeFileHandle((nint)fd, ownsHandle: true);
    }

    /// <summary>ELOOP is a link on the way (RESOLVE_NO_SYMLINKS); EXDEV a way out of the directory (RESOLVE_BENEATH).</summary>
    private Exception Confine(SystemCallException exception, string relative) => exception.Errno switch
    {
        Errno.ELOOP => new ConfinementException(FullPath(relative), "is a symbolic link or lies beyond one, and links are never followed here"),
        Errno.EXDEV => new ConfinementException(FullPath(relative), "leads outside " + Root),
        _ => exception,
    };
}
