using Subvol.Errors;
using Subvol.Linux;

namespace Subvol.Policies;

/// <summary>
/// The failures that end one step of an automatic run (a snapshot, a send, a prune) but not the run: the step is
/// reported with the error's words, as a command would print them, and the run goes on to the next subvolume.
/// </summary>
internal static class StepFailure
{
    public static bool Is(Exception exception) =>
        exception is SubvolException or IOException or SystemCallException or ExternalToolException;

    public static string Describe(Exception exception) => ErrorTranslation.Translate(exception).Message;
}
