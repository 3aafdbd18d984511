namespace Subvol;

/// <summary>
/// An error a person can act on: the message says what was wrong, the remedy (when there is one)
/// what to do about it, and each front end renders both in its own words.
/// </summary>
public sealed class SubvolException : Exception
{
    public SubvolException(SubvolErrorCode code, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Code = code;
    }

    public SubvolErrorCode Code { get; }

    /// <summary>What to do about it: a sentence or a command; null when the message says it all.</summary>
    public string? Remedy { get; init; }

    internal static SubvolException NotFound(string message, string? remedy = null) => new(SubvolErrorCode.NotFound, message) { Remedy = remedy };

    internal static SubvolException AlreadyExists(string message, string? remedy = null) => new(SubvolErrorCode.AlreadyExists, message) { Remedy = remedy };

    internal static SubvolException Busy(string message, string? remedy = null) => new(SubvolErrorCode.Busy, message) { Remedy = remedy };

    internal static SubvolException Invalid(string message, string? remedy = null) => new(SubvolErrorCode.InvalidArgument, message) { Remedy = remedy };

    internal static SubvolException NotSupported(string message, string? remedy = null) => new(SubvolErrorCode.NotSupported, message) { Remedy = remedy };

    internal static SubvolException NoSpace(string message, Exception? inner = null) => new(SubvolErrorCode.NoSpace, message, inner);
}
