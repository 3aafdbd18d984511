using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;

namespace Subvol.Snapshots;

/// <summary>
/// What a snapshot does when FIFREEZE fails: this process froze nothing, so it must thaw nothing, and leaves a filesystem
/// that another program froze (fsfreeze, a backup agent, a hypervisor's guest agent) as that program left it.
/// </summary>
internal static class FreezeRefusal
{
    /// <summary>Lets go of a freeze that never began: the record goes before the watchdog, which thaws only what a record names.</summary>
    public static void Abandon(PoolFiles files, FreezeRecord record, ThawWatchdog watchdog)
    {
        record.Delete(files);
        watchdog.Dispose();
    }

    /// <summary>The error for a filesystem that was frozen already (the kernel refuses a second freeze with EBUSY); null for any other failure.</summary>
    public static SubvolException? AlreadyFrozen(string subvolume, string mountPoint, Exception exception) =>
        exception is SystemCallException { Errno: Errno.EBUSY }
            ? SubvolException.Busy(
                $"cannot snapshot {Printable.Quote(subvolume)}: its filesystem at {mountPoint} is frozen already, by fsfreeze or another program, and is left so",
                new Remedy.Advice($"snapshot it once that program has thawed it ('fsfreeze -u {mountPoint}' thaws it by hand)"))
            : null;
}
