using Subvol.Errors;
using Subvol.Linux;
using Subvol.Pools;

namespace Subvol.Replication;

/// <summary>
/// A stream file that a person names, written whole or not at all. The stream goes to a hidden file beside it, which
/// replaces it only once the send finished and the bytes are on disk: a send that is refused, fails, fills the disk or
/// is interrupted leaves the file that was there, which may be the last good copy, as it was. A name that leads to
/// something other than a regular file (a device, a pipe) is written in place, since nothing can be renamed over it.
/// </summary>
public sealed class StreamOutputFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;
    private readonly ConfinedDirectory? _directory;
    private readonly string? _temporary;
    private bool _committed;

    private StreamOutputFile(FileStream stream, string path, ConfinedDirectory? directory, string? temporary)
    {
        _stream = stream;
        _path = path;
        _directory = directory;
        _temporary = temporary;
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
                return new StreamOutputFile(new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize), target, null, null);
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
            var mode = kind == EntryKind.File ? directory.Status(name).Mode : PoolFiles.PrivateFileMode;
            directory.Delete(temporary);
            var handle = directory.CreateFile(temporary, mode);
            return new StreamOutputFile(new FileStream(handle, FileAccess.Write, bufferSize), target, directory, temporary);
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
            _directory.Rename(_temporary, Path.GetFileName(_path), replace: true);
            FileSync.FlushDirectory(_directory.Root);
            _committed = true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or SystemCallException)
        {
            throw Translate(exception, _path);
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

        if (!_committed && _directory is not null && _temporary is not null)
        {
            _directory.Delete(_temporary);
        }

        _directory?.Dispose();
    }
}
