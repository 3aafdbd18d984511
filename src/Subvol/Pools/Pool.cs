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

    private Pool(Pools.PoolLayout layout, PoolDatabase database, IReadOnlyList<string> recoveredFreezes)
    {
        _layout = layout;
        _database = database;
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

        // On a full host SQLite cannot even open its log: give up the repair reserve first.
        Space.RepairReserve.ReleaseIfFull(layout.MetadataDirectory, layout.Root);
        var database = PoolDatabase.Open(layout.Database, create: false);
        try
        {
            // A snapshot killed between freeze and thaw must not leave a filesystem frozen.
            var recovered = FreezeRecord.RecoverAbandoned(layout.FreezeDirectory);
            return new Pool(layout, database, recovered);
        }
        catch
        {
            database.Dispose();
            throw;
        }
    }

    public void Dispose()
    {
        _database.Dispose();
        Space.RepairReserve.Restore(_layout.MetadataDirectory, _layout.Root);
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
            Shortfall(usage),
            Sharing().Allocated,
            ThinAvailable(usage));
    }

    /// <summary>One writer at a time across processes; released when disposed.</summary>
    private FileLock AcquireWriteLock() => FileLock.Acquire(_layout.LockFile, exclusive: true);

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
    private static void Publish(string partial, string destination)
    {
        if (File.Exists(destination))
        {
            throw new SubvolException(SubvolErrorCode.Inconsistent,
                $"{destination} exists but the pool's metadata does not list it; run 'subvol check' to see such leftovers and 'subvol check --repair' to remove them");
        }

        File.Move(partial, destination);
    }

    private static void DeleteImage(string path)
    {
        if (!File.Exists(path))
        {
            return;
        }

        if (ImmutableAttribute.Get(path))
        {
            ImmutableAttribute.Set(path, false);
        }

        File.Delete(path);
    }

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
