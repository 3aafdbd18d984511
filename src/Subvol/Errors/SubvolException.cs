
namespace Subvol.Errors;

/// <summary>
/// An error a person can act on: the message says what was wrong, the remedy (when there is one)
/// what to do about it, as data that each front end words in its own terms.
/// </summary>
public sealed class SubvolException : Exception
{
    public SubvolException(SubvolErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public SubvolException(SubvolErrorCode code, string message, Remedy? remedy, Exception? innerException = null)
        : this(code, message, innerException)
    {
        Remedy = remedy;
    }

    public SubvolErrorCode Code { get; }

    /// <summary>What to do about it; null when the message says it all.</summary>
    public Remedy? Remedy { get; init; }

    internal static SubvolException NotFound(string message, Remedy? remedy = null) => new(SubvolErrorCode.NotFound, message, remedy);

    internal static SubvolException AlreadyExists(string message, Remedy? remedy = null) => new(SubvolErrorCode.AlreadyExists, message, remedy);

    internal static SubvolException Busy(string message, Remedy? remedy = null) => new(SubvolErrorCode.Busy, message, remedy);

    internal static SubvolException Invalid(string message, Remedy? remedy = null) => new(SubvolErrorCode.InvalidArgument, message, remedy);

    internal static SubvolException NotSupported(string message, Remedy? remedy = null) => new(SubvolErrorCode.NotSupported, message, remedy);

    internal static SubvolException NoSpace(string message, Exception? inner = null) => new(SubvolErrorCode.NoSpace, message, inner);

    internal static SubvolException NoSpace(string message, Remedy? remedy, Exception? inner = null) => new(SubvolErrorCode.NoSpace, message, remedy, inner);

    internal static SubvolException Inconsistent(string message, Remedy? remedy = null) => new(SubvolErrorCode.Inconsistent, message, remedy);
}
