using Subvol.Linux;

namespace Subvol.Cli.CommandLine;

/// <summary>
/// The stream file that -o names, written whole or not at all. The stream goes to a hidden file beside it, which
/// replaces it only once the send finished and the bytes are on disk: a send that is refused, fails, fills the disk or
/// is interrupted leaves the file that was there, which may be the last good copy, as it was. A name that leads to
/// something other than a regular file (a device, a pipe) is written in place, since nothing can be renamed over it.
/// </summary>
internal sealed class StreamOutputFile : IDisposable
{
    private readonly FileStream _stream;
    private readonly string _path;
    private readonly string? _temporary;
    private bool _committed;

    private StreamOutputFile(FileStream stream, string path, string? temporary)
    {
        _stream = stream;
        _path = path;
        _temporary = temporary;
    }

    public System.IO.Stream Stream => _stream;

    public static StreamOutputFile Create(string path, int bufferSize)
    {
        try
        {
            var kind = PathKind.Of(path);
            if (kind == EntryKind.Missing && new FileInfo(path).LinkTarget is { } leadsTo)
            {
                throw new SubvolException(SubvolErrorCode.InvalidArgument, $"{path} is a symbolic link to {leadsTo}, which does not exist; name the file to write instead");
            }

            // Through a link, the file the link leads to is the one replaced, as writing in place would have changed it.
            var target = ResolvedPath.Of(path);
            if (kind == EntryKind.Directory)
            {
                throw new SubvolException(SubvolErrorCode.InvalidArgument, $"{path} is a directory, not a file");
            }

            if (kind == EntryKind.Other)
            {
                return new StreamOutputFile(new FileStream(target, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize), target, temporary: null);
            }

            var temporary = Path.Combine(Path.GetDirectoryName(target)!, $".{Path.GetFileName(target)}.partial-{Environment.ProcessId}");
            var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, bufferSize);
            if (kind == EntryKind.File && OperatingSystem.IsLinux())
            {
                // The file it replaces keeps its permissions: a stream written as a private file stays private.
                File.SetUnixFileMode(stream.SafeFileHandle, File.GetUnixFileMode(target));
            }

            return new StreamOutputFile(stream, target, temporary);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or SystemCallException)
        {
            throw ErrorTranslation.Translate(exception, Path.GetFullPath(path));
        }
    }

    /// <summary>Syncs what was written and puts it in place of the file named.</summary>
    public void Commit()
    {
        try
        {
            _stream.Flush();
            if (_temporary is null)
            {
                // A device or a pipe written in place: what it does with the bytes is its own, and most cannot be synced.
                _committed = true;
                return;
            }

            FileSync.Flush(_stream.SafeFileHandle, _temporary);
            File.Move(_temporary, _path, overwrite: true);
            FileSync.FlushDirectory(Path.GetDirectoryName(_path)!);

            _committed = true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or SystemCallException)
        {
            throw ErrorTranslation.Translate(exception, _path);
        }
    }

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

        if (!_committed && _temporary is not null)
        {
            File.Delete(_temporary);
        }
    }
}
