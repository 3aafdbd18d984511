using Subvol.Errors;
using Subvol.Linux;

namespace Subvol.Pools;

/// <summary>
/// An image under construction in incoming/, invisible until it is published by one rename; a build
/// that fails anywhere leaves nothing of it behind, and a failed system call is the operation's error.
/// </summary>
internal static class PartialImage
{
    /// <param name="what">The operation, as its error names it ("cannot snapshot 'home'").</param>
    public static T Build<T>(PoolFiles files, string partial, string what, Func<T> build)
    {
        try
        {
            return build();
        }
        catch (SystemCallException exception)
        {
            files.Delete(partial);
            throw ErrorTranslation.During(what, exception);
        }
        catch
        {
            files.Delete(partial);
            throw;
        }
    }

    public static void Build(PoolFiles files, string partial, string what, Action build) =>
        Build(files, partial, what, () =>
        {
            build();
            return true;
        });
}
