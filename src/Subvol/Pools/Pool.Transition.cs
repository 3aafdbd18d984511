using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Space;

namespace Subvol;

// The names the partial files used before the session and the space ledger existed; each goes as
// the partial that uses it becomes a collaborator of its own.
public sealed partial class Pool
{
    private PoolLayout _layout => _session.Layout;

    private PoolDatabase _database => _session.Database;

    private PoolFiles _files => _session.Files;

    private FileLock AcquireWriteLock() => _session.AcquireWriteLock();

    private static FileLock AcquireWriteLock(PoolFiles files, PoolLayout layout) => PoolSession.AcquireWriteLock(files, layout);

    private SubvolumeRecord RequireSubvolume(string name) => _session.RequireSubvolume(name);

    private SnapshotRecord RequireSnapshot(SnapshotReference reference) => _session.RequireSnapshot(reference);

    private void Publish(string partial, string destination) => _files.Publish(partial, destination);

    private void DeleteImage(string path) => _files.DeleteImage(path);

    private IEnumerable<string> AllImages() => _session.AllImages();

    private long ReservedBytes() => _space.ReservedBytes();

    private long Shortfall(FileSystemUsage usage, long? reserved = null) => _space.Shortfall(usage, reserved);

    private long UsableFreeBytes(FileSystemUsage usage) => _space.UsableFreeBytes(usage);

    private void EnsureCanReserve(long additional, string what) => _space.EnsureCanReserve(additional, what);

    private void EnsureOvercommitAllows(long additional, string what, Remedy? remedy = null) => _space.EnsureOvercommitAllows(additional, what, remedy);

    private void Admit(Provisioning provisioning, long size, string what, Remedy? thinRemedy = null) => _space.Admit(provisioning, size, what, thinRemedy);

    private void AdmitGrowth(SubvolumeRecord record, long imageSize, long newSize, string what) => _space.AdmitGrowth(record, imageSize, newSize, what);

    private static SubvolException Translate(SystemCallException exception, string what)
    {
        return exception.Errno switch
        {
            Errno.ENOSPC => SubvolException.NoSpace($"{what}: the host filesystem is full ({exception.Message})", new Remedy.Advice("free space in the pool, for example by destroying old snapshots"), exception),
            Errno.EBUSY => new SubvolException(SubvolErrorCode.Busy, $"{what}: {exception.Message}; something is still using it", exception),
            _ => ErrorTranslation.Translate(exception) is var translated
                ? new SubvolException(translated.Code, $"{what}: {translated.Message}", translated.Remedy, exception)
                : throw new InvalidOperationException(),
        };
    }
}
