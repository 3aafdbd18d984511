namespace Subvol;

/// <summary>An error a person can act on: the message says what was wrong and what to do.</summary>
public sealed class SubvolException : Exception
{
    public SubvolException(SubvolErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public SubvolErrorCode Code { get; }

    internal static SubvolException NotFound(string message) => new(SubvolErrorCode.NotFound, message);

    internal static SubvolException AlreadyExists(string message) => new(SubvolErrorCode.AlreadyExists, message);

    internal static SubvolException Busy(string message) => new(SubvolErrorCode.Busy, message);

    internal static SubvolException Invalid(string message) => new(SubvolErrorCode.InvalidArgument, message);

    internal static SubvolException NotSupported(string message) => new(SubvolErrorCode.NotSupported, message);

    internal static SubvolException NoSpace(string message, Exception? inner = null) => new(SubvolErrorCode.NoSpace, message, inner);
}
