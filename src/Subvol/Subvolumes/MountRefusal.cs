using Subvol.Errors;
using Subvol.Linux;

namespace Subvol.Subvolumes;

/// <summary>
/// What a refused mount of an image says. mount(2) answers a damaged superblock, a duplicate filesystem UUID and
/// much else with EINVAL alone; the reason is in the kernel log, so the error says where to read it.
/// </summary>
internal static class MountRefusal
{
    /// <param name="what">The image as the person knows it: a subvolume, a snapshot, a pool image.</param>
    /// <param name="checkCommand">The command that checks the image without changing it, when the kernel refused it.</param>
    public static void Translate(string what, string where, Action mount, string checkCommand)
    {
        try
        {
            mount();
        }
        catch (SystemCallException exception) when (exception.Errno is Errno.EINVAL or Errno.EUCLEAN)
        {
            throw new SubvolException(SubvolErrorCode.Failed, $"cannot mount {what} at {where}: {exception.Message}",
                new Remedy.Advice($"'dmesg | tail' shows why the kernel refused it; '{checkCommand}' checks the image without changing it"), exception);
        }
        catch (SystemCallException exception)
        {
            throw ErrorTranslation.During($"cannot mount {what} at {where}", exception);
        }
    }
}
