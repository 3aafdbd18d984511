using Subvol.Linux;

namespace Subvol.Errors;

public static partial class ErrorTranslation
{
    /// <summary>
    /// A failed system call inside an operation, as the error of the operation: <paramref name="what"/>
    /// says which one failed ("cannot snapshot 'home'"), the translation of errno gives the code and the remedy.
    /// </summary>
    internal static SubvolException OperationFailed(SystemCallException exception, string what)
    {
        if (exception.Errno == Errno.ENOSPC)
        {
            return SubvolException.NoSpace($"{what}: the host filesystem is full ({exception.Message})", NoSpaceRemedy, exception);
        }

        if (exception.Errno == Errno.EBUSY)
        {
            return new SubvolException(SubvolErrorCode.Busy, $"{what}: {exception.Message}; something is still using it", exception);
        }

        var translated = Translate(exception);
        return new SubvolException(translated.Code, $"{what}: {translated.Message}", translated.Remedy, exception);
    }
}
