using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Safety;

namespace Subvol;

/// <summary>
/// An open pool: every rule about subvolumes and snapshots goes through here. Readers use the
/// database freely; every change of state holds the pool's write lock.
/// </summary>
public sealed partial class Pool : IDisposable
{
    private readonly Pools.PoolLayout _layout;
    private readonly PoolDatabase _database;
    private readonly Pools.PoolFiles _files;
    private bool _disposed;

    private Pool(Pools.PoolLayout layout, PoolDatabase database, Pools.PoolFiles files, IReadOnlyList<string> recoveredFreezes)
    {
        _layout = layout;
        _database = database;
        _files = files;
        RecoveredFreezes = recoveredFreezes;
    }

    public string Path => _layout.Root;

    /// <summary>The image that holds a file-backed pool, or null for a pool on a host directory.</summary>
    public string? Image => _database.GetPoolValue("image");

    private const string ImageSparseKey = "image-sparse";

    /// <summary>
    /// For a file-backed pool, whether its image is sparse on the host (made with --sparse, or before
    /// pool images were allocated, when the key was not recorded); null for a pool on a host directory.
    /// </summary>
    public bool? ImageSparse => Image is null ? null : _database.GetPoolValue(ImageSparseKey) != "false";

    /// <summary>Mount points that a dead process had left frozen and that opening the pool thawed.</summary>
    public IReadOnlyList<string> RecoveredFreezes { get; }

    /// <param name="registry">The machine's pool list, which lets the error for a pool that is not imported say so.</param>
    public static Pool Open(string path, PoolRegistry? registry = null)
    {
        var layout = new Pools.PoolLayout(path);
        // A pool's .subvol directory without its database is a damaged pool, not a missing one: its images are all there.
        if (!File.Exists(layout.Database) && Directory.Exists(layout.MetadataDirectory))
        {
            throw PoolDatabase.Damaged(layout.Database, "it is missing");
        }

        if (!File.Exists(layout.Database) && registry?.Find(layout.Root) is { Image: { } image } known)
        {
            throw SubvolException.NotFound(known.Exported
                ? $"pool {layout.Root} was exported; bring it back with 'subvol pool import {layout.Root}'"
                : $"pool {layout.Root} is not imported (its image {image} is not mounted there, as after a reboot); run 'subvol pool import {layout.Root}'");
        }

        if (!File.Exists(layout.Database))
        {
            throw SubvolException.NotFound(Directory.Exists(layout.Root)
                ? $"{layout.Root} is not a Subvol pool (it has no .subvol/pool.db); create one with 'subvol pool create {layout.Root}', or import a file-backed pool with 'subvol pool import {layout.Root}'"
                : $"pool {layout.Root} does not exist; create it with 'subvol pool create {layout.Root}'");
        }

        var files = ErrorTranslation.Guard(() => Pools.PoolFiles.Open(layout.Root), layout.Root);
        PoolDatabase? database = null;
        try
        {
            // SQLite opens by name and would follow a link planted at the database or its directory.
            if (files.Status(layout.Database).Kind != EntryKind.File)
            {
                throw Pools.PoolFiles.Refusal(new ConfinementException(layout.Database, "is not a regular file"));
            }

            // On a full host SQLite cannot even open its log: give up the repair reserve first.
            Space.RepairReserve.ReleaseIfFull(files, layout.MetadataDirectory);
            try
            {
                database = PoolDatabase.Open(layout.Database, create: false);
            }
            catch (Exception exception) when (exception is not SubvolException)
            {
                // What SQLite says about pool.db (not a database, read-only, locked) becomes an error with a remedy.
                throw ErrorTranslation.Translate(exception, layout.Database);
            }

            // A snapshot killed between freeze and thaw must not leave a filesystem frozen.
            var recovered = FreezeRecord.RecoverAbandoned(files, layout.FreezeDirectory);
            return new Pool(layout, database, files, recovered);
        }
        catch (Exception exception)
        {
            database?.Dispose();
            files.Dispose();
            throw ErrorTranslation.Translate(exception);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _database.Dispose();
        Space.RepairReserve.Restore(_files, _layout.MetadataDirectory);
        _files.Dispose();
    }

    public PoolStatus Status()
    {
        var usage = FileSystemStatistics.Get(_layout.Root);
        var subvolumes = _database.ListSubvolumes();
        var snapshots = _database.ListSnapshots();
        var mounted = subvolumes.Count(subvolume => ImageMounts.Find(_layout.SubvolumeImage(subvolume.Name)).Count > 0);
        var reserved = ReservedBytes();
        var slop = Slop(usage.TotalBytes);
        return new PoolStatus(
            _layout.Root,
            Image,
            usage.TypeName,
            usage.TotalBytes,
            usage.TotalBytes - usage.FreeBytes,
            reserved,
            slop,
            Math.Max(0, usage.AvailableBytes - reserved - slop),
            subvolumes.Sum(subvolume => subvolume.Size),
            Overcommit,
            subvolumes.Count,
            snapshots.Count,
            mounted,
            ImageSparse,
            Shortfall(usage, reserved),
            Sharing().Allocated,
            ThinAvailable(usage, reserved));
    }

    /// <summary>One writer at a time across processes; released when disposed.</summary>
    private FileLock AcquireWriteLock() => AcquireWriteLock(_files, _layout);

    private static FileLock AcquireWriteLock(Pools.PoolFiles files, Pools.PoolLayout layout)
    {
        // flock(2) needs a descriptor; the lock file is opened beneath the root like every other file, and made private at creation.
        if (!files.Exists(layout.LockFile))
        {
            try
            {
                files.CreateFile(layout.LockFile).Dispose();
            }
            catch (SystemCallException exception) when (exception.Errno == Errno.EEXIST)
            {
                // Another process made it first.
            }
        }

        return FileLock.Acquire(files.OpenFile(layout.LockFile, FileAccess.ReadWrite), layout.LockFile, exclusive: true);
    }

    private SubvolumeRecord RequireSubvolume(string name)
    {
        NameRules.Validate(name, "subvolume");
        return _database.FindSubvolume(name)
            ?? throw SubvolException.NotFound($"pool {Path} has no subvolume {Printable.Quote(name)}; 'subvol list' shows the ones it has");
    }

    private SnapshotRecord RequireSnapshot(SnapshotReference reference)
    {
        RequireSubvolume(reference.Subvolume);
        return _database.FindSnapshot(reference.Subvolume, reference.Snapshot)
            ?? throw SubvolException.NotFound($"subvolume {Printable.Quote(reference.Subvolume)} has no snapshot {Printable.Quote(reference.Snapshot)}; 'subvol list -t snapshot {reference.Subvolume}' shows the ones it has");
    }

    /// <summary>Moves a finished image into its published place; an existing file there is an orphan the user must look at.</summary>
    private void Publish(string partial, string destination) => _files.Publish(partial, destination);

    private void DeleteImage(string path) => _files.DeleteImage(path);

    private static SubvolException Translate(SystemCallException exception, string what)
    {
        return exception.Errno switch
        {
            Errno.ENOSPC => SubvolException.NoSpace($"{what}: the host filesystem is full ({exception.Message}); free space in the pool, for example by destroying old snapshots", exception),
            Errno.EBUSY => new SubvolException(SubvolErrorCode.Busy, $"{what}: {exception.Message}; something is still using it", exception),
            _ => new SubvolException(SubvolErrorCode.InvalidArgument, $"{what}: {exception.Message}", exception),
        };
    }
}
