namespace Subvol.Linux;

/// <summary>A system call failed; carries the call, the path it was about and the errno.</summary>
public sealed class SystemCallException : IOException
{
    public SystemCallException(string call, string? path, int errno)
        : base(FormatMessage(call, path, errno))
    {
        Call = call;
        Path = path;
        Errno = errno;
        ErrnoName = Interop.ErrnoName(errno);
        HResult = errno;
    }

    public string Call { get; }

    public string? Path { get; }

    public int Errno { get; }

    public string ErrnoName { get; }

    private static string FormatMessage(string call, string? path, int errno)
    {
        var what = path is null ? call : $"{call} on '{path}'";
        return $"{what} failed: {Interop.ErrnoMessage(errno)} ({Interop.ErrnoName(errno)})";
    }
}
