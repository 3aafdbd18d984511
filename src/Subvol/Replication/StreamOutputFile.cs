using Microsoft.Win32.SafeHandles;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Replication;

/// <summary>
/// A stream file that a person names, written whole or not at all. The stream goes to a file without a name in the
/// same directory (O_TMPFILE), which is named and renamed over it only once the send finished and the bytes are on
/// disk: a send that is refused, fails, fills the disk, is interrupted or killed leaves the file that was there, which
/// may be the last good copy, as it was, and nothing beside it. Where the filesystem cannot make a file without a name,
/// the stream goes to a hidden partial file instead, which a killed send leaves behind. The new file takes the mode,
/// and where the process may give them, the owner and group, of the file it replaces. A name that leads to something
/// other than a regular file (a device, a pipe) is written in place, since nothing can be renamed over it.
/// </summary>
public sealed class StreamOutputFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;
    private readonly ConfinedDirectory? _directory;
    private readonly string? _temporary;

    /// <summary>Whether the partial file has a name, which a failed send must remove; one made without a name vanishes by itself.</summary>
    private bool _named;
    private bool _committed;

    private StreamOutputFile(FileStream stream, string path, ConfinedDirectory? directory, string? temporary, bool named)
    {
        _stream = stream;
        _path = path;
        _directory = directory;
        _temporary = temporary;
        _named = named;
    }

    public System.IO.Stream Stream => _stream;

    public static StreamOutputFile Create(string path, int bufferSize)
    {
        ConfinedDirectory? directory = null;
        try
        {
            var kind = PathKind.Of(path);
            if (kind == EntryKind.Missing && new FileInfo(path).LinkTarget is { } leadsTo)
            {
                throw SubvolException.Invalid($"{path} is a symbolic link to {leadsTo}, which does not exist; name the file to write instead");
            }

            if (kind == EntryKind.Directory)
            {
                throw SubvolException.Invalid($"{path} is a directory, not a file");
            }

            // Through a link, the file the link leads to is the one replaced, as writing in place would have changed it.
            var target = ResolvedPath.Of(path);
            if (kind == EntryKind.Other)
            {
                return new StreamOutputFile(new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize), target, null, null, named: false);
            }

            // A file that may not be replaced (immutable, or on a read-only filesystem) is refused before the stream is read.
            if (kind == EntryKind.File && WriteAccess.Check(target) != 0)
            {
                throw new UnauthorizedAccessException($"{target} may not be written");
            }

            directory = ConfinedDirectory.Open(Path.GetDirectoryName(target)!);
            var name = Path.GetFileName(target);
            var temporary = $".{name}.partial-{Environment.ProcessId}";
            // A stream holds the data of the snapshot it carries: a new file is its owner's alone, one that replaces
            // another keeps that one's permissions. The partial file is made anew, never through a name found there.
            EntryStatus? replaced = kind == EntryKind.File ? directory.Status(name) : null;
            var mode = replaced?.Mode ?? PoolFiles.PrivateFileMode;
            var handle = CreateUnnamed(directory, mode);
            var named = handle is null;
            if (handle is null)
            {
                directory.Delete(temporary);
                handle = directory.CreateFile(temporary, mode);
            }

            if (replaced is { } old)
            {
                KeepOwner(handle, directory.FullPath(temporary), old);
            }

            return new StreamOutputFile(new FileStream(handle, FileAccess.Write, bufferSize), target, directory, temporary, named);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or SystemCallException)
        {
            directory?.Dispose();
            throw Translate(exception, Path.GetFullPath(path));
        }
        catch
        {
            directory?.Dispose();
            throw;
        }
    }

    /// <summary>Syncs what was written and puts it in place of the file named.</summary>
    public void Commit()
    {
        try
        {
            _stream.Flush();
            if (_directory is null || _temporary is null)
            {
                // A device or a pipe written in place: what it does with the bytes is its own, and most cannot be synced.
                _committed = true;
                return;
            }

            FileSync.Flush(_stream.SafeFileHandle, _directory.FullPath(_temporary));
            if (!_named)
            {
                // linkat(2) cannot replace a name, so the synced file is named beside its target first, then renamed over it.
                _directory.Delete(_temporary);
                _directory.Link(_stream.SafeFileHandle, _temporary);
                _named = true;
            }

            _directory.Rename(_temporary, Path.GetFileName(_path), replace: true);
            FileSync.FlushDirectory(_directory.Root);
            _committed = true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or SystemCallException)
        {
            throw Translate(exception, _path);
        }
    }

    /// <summary>Gives the new file the owner and group of the one it replaces, where this process may (as root).</summary>
    private static void KeepOwner(SafeFileHandle handle, string path, EntryStatus replaced)
    {
        if (FileOwnership.TrySet(handle, path, replaced.Owner, replaced.Group))
        {
            // A change of owner clears the set-user-ID and set-group-ID bits: the mode is set again, the replaced file's whole.
            ConfinedDirectory.SetMode(handle, path, replaced.Mode);
        }
    }

    /// <summary>A file without a name in the directory, or null where its filesystem cannot make one (EOPNOTSUPP; EISDIR from a kernel without O_TMPFILE).</summary>
    private static SafeFileHandle? CreateUnnamed(ConfinedDirectory directory, int mode)
    {
        try
        {
            return directory.CreateUnnamedFile("", mode);
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.EOPNOTSUPP or Errno.EISDIR)
        {
            return null;
        }
    }

    /// <summary>A refusal of the partial file or its rename is a refusal of the file the person named, and says so by that name.</summary>
    private static SubvolException Translate(Exception exception, string path) =>
        ErrorTranslation.Translate(exception is SystemCallException { Errno: Errno.EACCES or Errno.EPERM } ? new UnauthorizedAccessException(exception.Message, exception) : exception, path);

    public void Dispose()
    {
        try
        {
            _stream.Dispose();
        }
        catch (IOException)
        {
            // A stream that was not committed is thrown away below; one that was is synced already.
        }

        if (!_committed && _named && _directory is not null && _temporary is not null)
        {
            _directory.Delete(_temporary);
        }

        _directory?.Dispose();
    }
}
