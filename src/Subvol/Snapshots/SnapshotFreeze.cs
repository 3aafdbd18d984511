using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;

namespace Subvol.Snapshots;

/// <summary>
/// The freeze of a snapshot, begun once its record and thaw watchdog are in place. When FIFREEZE fails this process froze
/// nothing, so it must thaw nothing: a filesystem that another program froze (fsfreeze, a backup agent, a hypervisor's
/// guest agent) stays as that program left it.
/// </summary>
internal static class SnapshotFreeze
{
    public static Freeze Begin(PoolFiles files, FreezeRecord record, ThawWatchdog watchdog, string subvolume, string mountPoint)
    {
        try
        {
            return Freeze.Begin(mountPoint);
        }
        catch (Exception exception)
        {
            // The record goes before the watchdog, which thaws only what a record names.
            record.Delete(files);
            watchdog.Dispose();
            // The kernel refuses a second freeze of a frozen filesystem with EBUSY.
            if (exception is SystemCallException { Errno: Errno.EBUSY })
            {
                throw SubvolException.Busy(
                    $"cannot snapshot {Printable.Quote(subvolume)}: its filesystem at {mountPoint} is frozen already, by fsfreeze or another program, and is left so",
                    new Remedy.Advice($"snapshot it once that program has thawed it ('fsfreeze -u {mountPoint}' thaws it by hand)"));
            }

            throw;
        }
    }
}
