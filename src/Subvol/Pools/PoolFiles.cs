using Microsoft.Win32.SafeHandles;
using Subvol.Errors;
using Subvol.Linux;

namespace Subvol.Pools;

/// <summary>
/// Every file and directory of a pool, reached beneath its root without following links (openat2(2)
/// RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), and made private from the moment it exists. A link planted
/// anywhere in the layout is refused with an error that names it; it is never followed, written
/// through, deleted through or marked immutable. Paths are the layout's absolute paths.
/// </summary>
internal sealed class PoolFiles : IDisposable
{
    /// <summary>Octal 0711: the pool root and mounts/, which users pass through to reach what is mounted.</summary>
    public const int PassableDirectoryMode = 0x1C9;

    /// <summary>Octal 0700: every other directory of the layout.</summary>
    public const int PrivateDirectoryMode = 0x1C0;

    /// <summary>Octal 0600: images, streams being received, state files and the metadata database.</summary>
    public const int PrivateFileMode = 0x180;

    private readonly ConfinedDirectory _root;

    private PoolFiles(ConfinedDirectory root)
    {
        _root = root;
    }

    public string Root => _root.Root;

    public static PoolFiles Open(string root) => new(ConfinedDirectory.Open(root));

    /// <summary>An image or state file, opened as a regular file and nothing else.</summary>
    public SafeFileHandle OpenFile(string path, FileAccess access) => Confined(() => _root.OpenFile(Relative(path), access));

    /// <summary>A new file, 0600 whatever the umask, that fails if anything (a link included) has the name.</summary>
    public SafeFileHandle CreateFile(string path) => Confined(() => _root.CreateFile(Relative(path), PrivateFileMode));

    /// <summary>The directory itself, for mounting onto: an O_PATH descriptor of exactly what was checked.</summary>
    /// <summary>A file with no name in <paramref name="directory"/>, mode 0600, that vanishes with its last descriptor unless <see cref="Link"/> names it.</summary>
    public SafeFileHandle CreateUnnamedFile(string directory) => Confined(() => _root.CreateUnnamedFile(Relative(directory), PrivateFileMode));

    /// <summary>Names a file made by <see cref="CreateUnnamedFile"/>; the name must not exist.</summary>
    public void Link(SafeFileHandle unnamed, string path) => Confined(() => _root.Link(unnamed, Relative(path)));

    public SafeFileHandle OpenMountPoint(string path) => Confined(() => _root.OpenPath(Relative(path), directory: true));

    public EntryStatus Status(string path) => Confined(() => _root.Status(Relative(path)));

    /// <summary>Whether something has the name; a link counts, so that nothing is created over it.</summary>
    public bool Exists(string path) => Status(path).Kind != EntryKind.Missing;

    /// <summary>Bytes allocated to an image; a missing image, or a link in its place, holds none.</summary>
    public long AllocatedBytes(string image) => Status(image) is { Kind: EntryKind.File } status ? status.AllocatedBytes : 0;

    /// <summary>The names in a directory of the layout; none when it does not exist.</summary>
    public IReadOnlyList<string> List(string directory) =>
        Status(directory).Kind == EntryKind.Missing ? [] : Confined(() => _root.List(Relative(directory)));

    /// <summary>Creates a directory of the layout, and the ones above it, with their private modes.</summary>
    public void CreateDirectory(string path)
    {
        var relative = Relative(path);
        var parts = relative.Split('/');
        for (var depth = 1; depth <= parts.Length; depth++)
        {
            var step = string.Join('/', parts.Take(depth));
            Confined(() => _root.CreateDirectory(step, ModeOfDirectory(_root.FullPath(step))));
        }
    }

    /// <summary>The mode a directory of the layout must have: 0711 for the root and mounts/, 0700 for the rest.</summary>
    public int ModeOfDirectory(string path) =>
        path == Root || path == System.IO.Path.Combine(Root, "mounts") ? PassableDirectoryMode : PrivateDirectoryMode;

    /// <summary>Refuses an image that is anything but a regular file or missing, before any metadata changes because of it.</summary>
    public void RefuseUnlessImageOrMissing(string path)
    {
        if (Status(path).Kind is not (EntryKind.File or EntryKind.Missing))
        {
            throw Refusal(new ConfinementException(path, "is not a regular file"));
        }
    }

    /// <summary>Removes a name, never what a link there points to; false when it was gone.</summary>
    public bool Delete(string path) => Confined(() => _root.Delete(Relative(path)));

    /// <summary>Removes an image, clearing its immutable mark through the file itself; a link there is refused.</summary>
    public void DeleteImage(string path) => DeleteImages([path]);

    /// <summary>
    /// Removes images as <see cref="DeleteImage"/> does, then waits once until XFS has freed them in the background, so
    /// the next listing, df or admission counts what is really there; where the wait cannot be asked for, the kernel
    /// finishes alone.
    /// </summary>
    public void DeleteImages(IEnumerable<string> paths)
    {
        var deleted = false;
        foreach (var path in paths)
        {
            if (Status(path).Kind == EntryKind.Missing)
            {
                continue;
            }

            using (var image = OpenFile(path, FileAccess.Read))
            {
                if (IsImmutable(image, path))
                {
                    ImmutableAttribute.Set(image, path, false);
                }
            }

            Delete(path);
            deleted = true;
        }

        if (deleted)
        {
            XfsInactivation.WaitForFrees(Root);
        }
    }

    public void DeleteDirectoryIfEmpty(string path)
    {
        if (Status(path).Kind == EntryKind.Directory && List(path).Count == 0)
        {
            Confined(() => _root.DeleteDirectory(Relative(path)));
        }
    }

    /// <summary>Moves a finished image into its published place; an existing file there is an orphan the user must look at.</summary>
    public void Publish(string partial, string destination)
    {
        try
        {
            Confined(() => _root.Rename(Relative(partial), Relative(destination), replace: false));
        }
        catch (SystemCallException exception) when (exception.Errno == Errno.EEXIST)
        {
            throw new SubvolException(
                SubvolErrorCode.Inconsistent,
                $"{destination} exists but the pool's metadata does not list it",
                new Remedy.AnyOf([new Remedy.CheckPool(Root), new Remedy.RepairPool(Root)]),
                exception);
        }
    }

    /// <summary>Moves a name over another in one step (rename(2)), so a crash leaves the old file or the new one.</summary>
    public void Replace(string from, string to) => Confined(() => _root.Rename(Relative(from), Relative(to), replace: true));

    /// <summary>Moves a name if it exists and its destination does not.</summary>
    public void MoveIfPresent(string from, string to)
    {
        if (Exists(from) && !Exists(to))
        {
            Confined(() => _root.Rename(Relative(from), Relative(to), replace: false));
        }
    }

    /// <summary>A new file holding <paramref name="source"/>'s data, shared (FICLONE); removed again on failure.</summary>
    public void Clone(string source, string destination)
    {
        using var from = OpenFile(source, FileAccess.Read);
        using var to = CreateFile(destination);
        try
        {
            Reflink.Clone(from, to, destination);
        }
        catch
        {
            to.Dispose();
            Delete(destination);
            throw;
        }
    }

    public IReadOnlyList<Extent> ReadExtents(string path)
    {
        using var file = OpenFile(path, FileAccess.Read);
        return ExtentMap.Read(file, path);
    }

    public void Preallocate(string path, long offset, long length)
    {
        using var file = OpenFile(path, FileAccess.Write);
        FileSpace.Preallocate(file, path, offset, length);
    }

    public void SetLength(string path, long length)
    {
        using var file = OpenFile(path, FileAccess.Write);
        RandomAccess.SetLength(file, length);
    }

    /// <summary>Marks an image immutable where the host filesystem can; elsewhere nothing happens.</summary>
    public void SetImmutable(string path, bool immutable)
    {
        using var file = OpenFile(path, FileAccess.Read);
        try
        {
            ImmutableAttribute.Set(file, path, immutable);
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.EOPNOTSUPP or Errno.ENOTTY)
        {
        }
    }

    /// <summary>Whether the image is immutable; null where the host cannot mark files so.</summary>
    public bool? GetImmutable(string path)
    {
        using var file = OpenFile(path, FileAccess.Read);
        try
        {
            return ImmutableAttribute.Get(file, path);
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.EOPNOTSUPP or Errno.ENOTTY)
        {
            return null;
        }
    }

    /// <summary>Runs a program on an image that it reaches through this process's descriptor, as /proc/self/fd/N.</summary>
    public void RunOn(string path, Action<string> run)
    {
        using var file = OpenFile(path, FileAccess.ReadWrite);
        using var inherited = InheritedFile.Share(file, path);
        try
        {
            run(inherited.Path);
        }
        catch (ExternalToolException exception)
        {
            // The descriptor's name means nothing to a person; the error names the image.
            throw new ExternalToolException([.. exception.Arguments.Select(argument => argument == inherited.Path ? path : argument)], exception.ExitCode, exception.StandardError.Replace(inherited.Path, path, StringComparison.Ordinal));
        }
    }

    /// <summary>Attaches an image to a loop device through the descriptor opened beneath the root.</summary>
    public LoopDevice Attach(string path, bool readOnly, bool autoClear)
    {
        using var file = OpenFile(path, readOnly ? FileAccess.Read : FileAccess.ReadWrite);
        // Direct I/O keeps the data out of the host's page cache, which would cache it twice.
        return LoopDevice.Attach(file, path, readOnly, directIo: true, autoClear);
    }

    /// <summary>Sets the mode of a file or directory of the layout; an immutable image is unmarked for the moment.</summary>
    public void SetMode(string path, int mode) => ChangeMetadata(path, file => ConfinedDirectory.SetMode(file, path, mode));

    /// <summary>Sets an extended attribute of a file or directory of the layout; an immutable image is unmarked for the moment.</summary>
    public void SetAttribute(string path, string name, byte[] value) => ChangeMetadata(path, file => ExtendedAttribute.Set(file, name, value, path));

    /// <summary>An extended attribute of a file or directory of the layout, or null when it has none.</summary>
    public byte[]? GetAttribute(string path, string name)
    {
        using var file = OpenEntry(path, Status(path).Kind);
        return ExtendedAttribute.Get(file, name, path);
    }

    /// <summary>Changes an entry's metadata through its descriptor; the immutable flag freezes mode and attributes too, so it is lifted for the change.</summary>
    private void ChangeMetadata(string path, Action<SafeFileHandle> change)
    {
        var kind = Status(path).Kind;
        using var file = OpenEntry(path, kind);
        var immutable = kind == EntryKind.File && IsImmutable(file, path);
        if (immutable)
        {
            ImmutableAttribute.Set(file, path, false);
        }

        try
        {
            change(file);
        }
        finally
        {
            if (immutable)
            {
                ImmutableAttribute.Set(file, path, true);
            }
        }
    }

    private SafeFileHandle OpenEntry(string path, EntryKind kind) =>
        kind == EntryKind.Directory ? Confined(() => _root.OpenDirectory(Relative(path))) : OpenFile(path, FileAccess.Read);

    /// <summary>The suffix of the new copy of a state file that <see cref="WriteState"/> writes before renaming it over the old one.</summary>
    public const string StateTemporarySuffix = ".new";

    /// <summary>Removes a state file and any new copy of it that an interrupted write left.</summary>
    public void DeleteState(string path)
    {
        Delete(path);
        Delete(path + StateTemporarySuffix);
    }

    /// <summary>Replaces a small state file in one step: written to a new private file, synced, renamed over.</summary>
    /// <param name="durable">False for a record that matters only while processes live (a crash of the machine ends what it
    /// records), which other processes see at once without waiting for the disk.</param>
    public void WriteState(string path, string text, bool durable = true)
    {
        var temporary = path + StateTemporarySuffix;
        Delete(temporary);
        using (var file = CreateFile(temporary))
        {
            RandomAccess.Write(file, System.Text.Encoding.UTF8.GetBytes(text), 0);
            if (durable)
            {
                FileSync.Flush(file, temporary);
            }
        }

        Replace(temporary, path);
    }

    /// <summary>The lines of a small state file, or null when it does not exist.</summary>
    public string[]? ReadLines(string path)
    {
        SafeFileHandle file;
        try
        {
            file = OpenFile(path, FileAccess.Read);
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.ENOENT or Errno.ENOTDIR)
        {
            // Missing, or gone since someone listed it (a freeze record its snapshot just removed): nothing to read either way.
            return null;
        }

        using var opened = file;
        var length = RandomAccess.GetLength(file);
        if (length > 1 << 20)
        {
            throw SubvolException.Inconsistent($"{path} is larger than any state file the pool writes", new Remedy.CheckPool(Root));
        }

        var bytes = new byte[length];
        var read = RandomAccess.Read(file, bytes, 0);
        return System.Text.Encoding.UTF8.GetString(bytes, 0, read).Split('\n', StringSplitOptions.RemoveEmptyEntries);
    }

    public void Dispose() => _root.Dispose();

    /// <summary>The error for a link or a foreign file found where the layout expects its own.</summary>
    public static SubvolException Refusal(ConfinementException exception) =>
        new(
            SubvolErrorCode.Inconsistent,
            $"{exception.Path} {exception.Reason}; Subvol refused to use it",
            // Check itself refuses a link at .subvol or its lock, so the link goes first.
            new Remedy.Steps([new Remedy.Advice("remove the link on that path by hand, never what it points to"), new Remedy.CheckPool(null)]),
            exception);

    private static bool IsImmutable(SafeFileHandle file, string path)
    {
        try
        {
            return ImmutableAttribute.Get(file, path);
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.EOPNOTSUPP or Errno.ENOTTY)
        {
            return false;
        }
    }

    private string Relative(string path)
    {
        var full = System.IO.Path.GetFullPath(path);
        if (full == Root)
        {
            return "";
        }

        return full.StartsWith(Root + "/", StringComparison.Ordinal)
            ? full[(Root.Length + 1)..]
            : throw new ArgumentException($"{path} is not beneath the pool {Root}", nameof(path));
    }

    private static T Confined<T>(Func<T> action)
    {
        try
        {
            return action();
        }
        catch (ConfinementException exception)
        {
            throw Refusal(exception);
        }
    }

    private static void Confined(Action action) => Confined(() =>
    {
        action();
        return true;
    });
}
