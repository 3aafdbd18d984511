using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Subvol.Linux;
using Subvol.Metadata;

namespace Subvol.Errors;

/// <summary>
/// The one error boundary: whatever a lower layer throws (a system call, .NET's file APIs, an
/// external program, SQLite) becomes a <see cref="SubvolException"/> with a code and a remedy, so
/// that no front end ever shows exception text of its own. The engine converts at its entry
/// points; the front ends call it once more around everything they run.
/// </summary>
public static partial class ErrorTranslation
{
    private static readonly Remedy ReadOnlyRemedy = new Remedy.Advice(
        "remount it read-write (mount -o remount,rw), or, if the kernel made it read-only after an error, check the disk (dmesg, xfs_repair)");

    private static readonly Remedy NoSpaceRemedy = new Remedy.Advice("free space in the pool, for example by destroying old snapshots");

    private static readonly Remedy InputOutputRemedy = new Remedy.Advice("the disk or its filesystem reported an I/O error: look in the kernel log (dmesg) and check the disk");

    private static readonly Remedy BugRemedy = new Remedy.Advice("this is a fault in subvol itself; please report it with the command that failed");

    // SQLite's primary result codes (https://sqlite.org/rescode.html).
    private const int SqliteError = 1;
    private const int SqlitePermission = 3;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteReadOnly = 8;
    private const int SqliteInputOutput = 10;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCannotOpen = 14;
    private const int SqliteAuthorization = 23;
    private const int SqliteNotADatabase = 26;

    /// <summary>
    /// The error to show for <paramref name="exception"/>. A <see cref="SubvolException"/> comes back
    /// as it is; anything else is converted by what it is and, for errno-carrying errors, by errno.
    /// </summary>
    /// <param name="path">The file the failed operation was about, when the caller knows it better than the exception does.</param>
    public static SubvolException Translate(Exception exception, string? path = null) => exception switch
    {
        SubvolException subvol => subvol,
        AggregateException { InnerExceptions.Count: 1 } aggregate => Translate(aggregate.InnerExceptions[0], path),
        SqliteException sqlite => FromSqlite(sqlite, path),
        SystemCallException system => FromErrno(system.Errno, system.Message, system.Path ?? path, system),
        FileNotFoundException notFound => new SubvolException(SubvolErrorCode.NotFound, $"{notFound.FileName ?? path ?? "a file"} does not exist", exception),
        DirectoryNotFoundException => new SubvolException(SubvolErrorCode.NotFound,
            path is null ? exception.Message : $"{path}: the directory {System.IO.Path.GetDirectoryName(path)} does not exist", exception),
        PathTooLongException => new SubvolException(SubvolErrorCode.InvalidArgument, path is null ? exception.Message : $"{path}: the path is too long", exception),
        UnauthorizedAccessException => FromPermission(path, exception),
        // .NET's I/O errors on Linux carry the errno in HResult when no more specific type applies.
        IOException when exception.HResult is > 0 and < 4096 => FromErrno(exception.HResult, path is null ? exception.Message : $"{path}: {exception.Message}", path, exception),
        IOException => new SubvolException(SubvolErrorCode.Failed, path is null ? exception.Message : $"{path}: {exception.Message}", exception),
        ExternalToolException => new SubvolException(SubvolErrorCode.Failed, exception.Message, exception),
        _ => new SubvolException(SubvolErrorCode.Failed, $"unexpected failure: {exception.Message}", exception) { Remedy = BugRemedy },
    };

    /// <summary>Runs an engine entry point and converts whatever escapes it.</summary>
    internal static T Guard<T>(Func<T> action, string? path = null)
    {
        try
        {
            return action();
        }
        catch (Exception exception) when (exception is not SubvolException)
        {
            throw Translate(exception, path);
        }
    }

    /// <summary>Runs an engine entry point and converts whatever escapes it.</summary>
    internal static void Guard(Action action, string? path = null) => Guard(() =>
    {
        action();
        return true;
    }, path);

    /// <summary>
    /// A system call that failed inside an operation, as that operation's error ("<paramref name="what"/>: why"),
    /// with the code and remedy its errno calls for; a full host is named as the host.
    /// </summary>
    internal static SubvolException During(string what, SystemCallException exception)
    {
        if (exception.Errno == Errno.ENOSPC)
        {
            return new SubvolException(SubvolErrorCode.NoSpace, $"{what}: the host filesystem is full ({exception.Message})", NoSpaceRemedy, exception);
        }

        var translated = Translate(exception);
        return new SubvolException(translated.Code, $"{what}: {translated.Message}", translated.Remedy, exception);
    }

    private static SubvolException FromErrno(int errno, string message, string? path, Exception inner) => errno switch
    {
        Errno.ENOENT => new SubvolException(SubvolErrorCode.NotFound, message, inner),
        Errno.EEXIST => new SubvolException(SubvolErrorCode.AlreadyExists, message, inner),
        Errno.EBUSY => new SubvolException(SubvolErrorCode.Busy, message, inner) { Remedy = new Remedy.Advice("something is still using it") },
        Errno.ENOSPC => new SubvolException(SubvolErrorCode.NoSpace, message, inner) { Remedy = NoSpaceRemedy },
        Errno.EROFS => new SubvolException(SubvolErrorCode.ReadOnly, message, inner) { Remedy = ReadOnlyRemedy },
        Errno.EACCES or Errno.EPERM => new SubvolException(SubvolErrorCode.Failed, message, inner) { Remedy = PermissionRemedy(path) },
        Errno.EOPNOTSUPP or Errno.ENOSYS or Errno.ENOTTY => new SubvolException(SubvolErrorCode.NotSupported, message, inner),
        Errno.EIO => new SubvolException(SubvolErrorCode.Failed, message, inner) { Remedy = InputOutputRemedy },
        _ => new SubvolException(SubvolErrorCode.Failed, message, inner),
    };

    private static SubvolException FromPermission(string? path, Exception inner)
    {
        // .NET reports a directory opened as a file as "access denied"; say what it is instead.
        if (path is not null && Directory.Exists(path))
        {
            return new SubvolException(SubvolErrorCode.InvalidArgument, $"{path} is a directory, not a file", inner);
        }

        var problem = path is not null && WriteAccess.Check(path) == Errno.EROFS ? ReadOnlyFileSystem(path, inner) : null;
        return problem ?? new SubvolException(SubvolErrorCode.Failed, path is null ? inner.Message : $"{path}: permission denied", inner)
        {
            Remedy = PermissionRemedy(path),
        };
    }

    private static Remedy PermissionRemedy(string? path) => new Remedy.Advice(Environment.IsPrivilegedProcess
        ? $"check the permissions and attributes of {path ?? "the file"} (ls -l, lsattr)"
        : "run subvol as root: it needs root for loop devices, mounts and freezing");

    private static SubvolException FromSqlite(SqliteException exception, string? path)
    {
        var what = path is null ? "the pool's metadata" : $"the pool's metadata {path}";
        var reason = SqliteReason(exception);

        // SQLite says "unable to open" or "I/O error" where the real cause is a read-only filesystem (it cannot make its WAL index).
        if (exception.SqliteErrorCode is SqliteReadOnly or SqliteCannotOpen or SqliteInputOutput or SqlitePermission
            && path is not null && ReadOnlyFileSystem(path, exception) is { } readOnly)
        {
            return readOnly;
        }

        return exception.SqliteErrorCode switch
        {
            SqliteReadOnly => new SubvolException(SubvolErrorCode.ReadOnly, $"cannot write {what}: {reason}", exception) { Remedy = ReadOnlyRemedy },
            SqliteCorrupt or SqliteNotADatabase => Metadata.PoolDatabase.Damaged(path, reason, exception),
            // A database without the pool's tables (an empty or foreign file) is damaged metadata too.
            SqliteError when reason.StartsWith("no such table", StringComparison.Ordinal) => Metadata.PoolDatabase.Damaged(path, reason, exception),
            SqliteFull => new SubvolException(SubvolErrorCode.NoSpace, $"cannot write {what}: the filesystem is full", exception) { Remedy = NoSpaceRemedy },
            SqliteBusy or SqliteLocked => new SubvolException(SubvolErrorCode.Busy, $"{what} is locked by another process ({reason})", exception)
            {
                Remedy = new Remedy.RepeatRequest(),
            },
            SqlitePermission or SqliteAuthorization => new SubvolException(SubvolErrorCode.Failed, $"cannot open {what}: {reason}", exception)
            {
                Remedy = PermissionRemedy(path),
            },
            SqliteInputOutput => new SubvolException(SubvolErrorCode.Failed, $"cannot read {what}: {reason}", exception) { Remedy = InputOutputRemedy },
            _ => new SubvolException(SubvolErrorCode.Failed, $"cannot use {what}: {reason}", exception),
        };
    }

    /// <summary>A read-only error for a path whose filesystem (or bind mount) is mounted read-only; null when it is not.</summary>
    private static SubvolException? ReadOnlyFileSystem(string path, Exception inner)
    {
        var directory = System.IO.Path.GetDirectoryName(path);
        var readOnly = WriteAccess.Check(path) == Errno.EROFS || (directory is not null && WriteAccess.Check(directory) == Errno.EROFS);
        return readOnly
            ? new SubvolException(SubvolErrorCode.ReadOnly, $"{path} cannot be written: its filesystem is mounted read-only", inner) { Remedy = ReadOnlyRemedy }
            : null;
    }

    /// <summary>SQLite's own words, without the "SQLite Error N: '…'." wrapping that Microsoft.Data.Sqlite adds.</summary>
    private static string SqliteReason(SqliteException exception) =>
        SqliteWrapping().Match(exception.Message) is { Success: true } match ? match.Groups[1].Value : exception.Message;

    [GeneratedRegex(@"^SQLite Error \d+: '(.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex SqliteWrapping();
}
