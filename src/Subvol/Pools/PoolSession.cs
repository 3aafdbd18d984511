using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Space;

namespace Subvol.Pools;

/// <summary>
/// What every collaborator of an open pool shares: where things are (the layout), what the pool
/// holds (the database), how its files are reached (beneath the root, never through a link), and
/// the write lock that lets one process change it at a time.
/// </summary>
internal sealed class PoolSession(PoolLayout layout, PoolDatabase database, PoolFiles files) : IDisposable
{
    private const string ImageKey = "image";

    private const string ImageSparseKey = "image-sparse";

    private bool _disposed;

    public PoolLayout Layout { get; } = layout;

    public PoolDatabase Database { get; } = database;

    public PoolFiles Files { get; } = files;

    public string Path => Layout.Root;

    /// <summary>The image that holds a file-backed pool, or null for a pool on a host directory.</summary>
    public string? Image => Database.GetPoolValue(ImageKey);

    /// <summary>
    /// For a file-backed pool, whether its image is sparse on the host (made sparse on purpose, or
    /// before pool images were allocated, when the key was not recorded); null for a pool on a host directory.
    /// </summary>
    public bool? ImageSparse => Image is null ? null : Database.GetPoolValue(ImageSparseKey) != "false";

    /// <summary>Records how a file-backed pool's image was made, when the pool is initialized.</summary>
    public static void RecordImage(PoolDatabase database, string image, bool sparse)
    {
        database.SetPoolValue(ImageKey, image);
        database.SetPoolValue(ImageSparseKey, sparse ? "true" : "false");
    }

    /// <summary>One writer at a time across processes; released when disposed.</summary>
    public FileLock AcquireWriteLock() => AcquireWriteLock(Files, Layout);

    /// <summary>One automatic run at a time; it waits for the write lock step by step, so manual commands interleave with it.</summary>
    public FileLock AcquireAutomaticRunLock() => AcquireLock(Files, Layout.AutomaticRunLockFile);

    public static FileLock AcquireWriteLock(PoolFiles files, PoolLayout layout) => AcquireLock(files, layout.LockFile);

    private static FileLock AcquireLock(PoolFiles files, string lockFile)
    {
        // flock(2) needs a descriptor; the lock file is opened beneath the root like every other file, and made private at creation.
        if (!files.Exists(lockFile))
        {
            try
            {
                files.CreateFile(lockFile).Dispose();
            }
            catch (SystemCallException exception) when (exception.Errno == Errno.EEXIST)
            {
                // Another process made it first.
            }
        }

        return FileLock.Acquire(files.OpenFile(lockFile, FileAccess.ReadWrite), lockFile, exclusive: true);
    }

    public SubvolumeRecord RequireSubvolume(string name)
    {
        NameRules.Validate(name, "subvolume");
        return Database.FindSubvolume(name)
            ?? throw SubvolException.NotFound($"pool {Path} has no subvolume {Printable.Quote(name)}", new Remedy.ListSubvolumes(Path));
    }

    public SnapshotRecord RequireSnapshot(SnapshotReference reference)
    {
        RequireSubvolume(reference.Subvolume);
        return Database.FindSnapshot(reference.Subvolume, reference.Snapshot)
            ?? throw SubvolException.NotFound($"subvolume {Printable.Quote(reference.Subvolume)} has no snapshot {Printable.Quote(reference.Snapshot)}", new Remedy.ListSnapshots(Path, reference.Subvolume));
    }

    /// <summary>Every image the pool's metadata knows: live subvolumes, then snapshots.</summary>
    public IEnumerable<string> AllImages() =>
        Database.ListSubvolumes().Select(subvolume => Layout.SubvolumeImage(subvolume.Name))
            .Concat(Database.ListSnapshots().Select(snapshot => Layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name)));

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        Database.Dispose();
        Space.RepairReserve.Restore(Files, Layout.MetadataDirectory);
        Files.Dispose();
    }
}
