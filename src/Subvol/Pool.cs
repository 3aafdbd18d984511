using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol;

/// <summary>
/// An open pool: the one front through which every rule about subvolumes and snapshots is reached.
/// Each call goes to the collaborator that owns it; they share the pool's session (layout,
/// database, files and write lock). Readers use the database freely; every change of state holds
/// the write lock.
/// </summary>
public sealed partial class Pool : IDisposable
{
    private readonly PoolSession _session;
    private readonly SpaceAdmission _space;

    private Pool(PoolSession session, IReadOnlyList<string> recoveredFreezes)
    {
        _session = session;
        _space = new SpaceAdmission(session);
        RecoveredFreezes = recoveredFreezes;
    }

    public string Path => _session.Path;

    /// <summary>The image that holds a file-backed pool, or null for a pool on a host directory.</summary>
    public string? Image => _session.Image;

    /// <summary>For a file-backed pool, whether its image is sparse on the host; null for a pool on a host directory.</summary>
    public bool? ImageSparse => _session.ImageSparse;

    /// <summary>Mount points that a dead process had left frozen and that opening the pool thawed.</summary>
    public IReadOnlyList<string> RecoveredFreezes { get; }

    /// <summary>How far thin subvolumes may promise beyond the pool's size; 1 allows no overcommit.</summary>
    public double Overcommit => _space.Overcommit;

    public void SetOvercommit(double ratio) => _space.SetOvercommit(ratio);

    /// <summary>A warning for the person at the terminal when the pool has a shortfall or is nearly full, else null.</summary>
    public SpaceWarning? SpaceWarning() => _space.Warning();

    /// <summary>Space kept back for repairs: 3.2% of the pool, at least 128 MiB, at most half.</summary>
    internal static long Slop(long poolSize) => SpaceAdmission.Slop(poolSize);

    /// <param name="registry">The machine's pool list, which lets the error for a pool that is not imported say so.</param>
    public static Pool Open(string path, PoolRegistry? registry = null)
    {
        var layout = new PoolLayout(path);
        // A pool's .subvol directory without its database is a damaged pool, not a missing one: its images are all there.
        if (!File.Exists(layout.Database) && Directory.Exists(layout.MetadataDirectory))
        {
            throw PoolDatabase.Damaged(layout.Database, "it is missing");
        }

        if (!File.Exists(layout.Database) && registry?.Find(layout.Root) is { Image: { } image } known)
        {
            throw SubvolException.NotFound(
                known.Exported
                    ? $"pool {layout.Root} was exported"
                    : $"pool {layout.Root} is not imported (its image {image} is not mounted there, as after a reboot)",
                new Remedy.ImportPool(layout.Root));
        }

        if (!File.Exists(layout.Database))
        {
            throw Directory.Exists(layout.Root)
                ? SubvolException.NotFound(
                    $"{layout.Root} is not a Subvol pool (it has no .subvol/pool.db)",
                    new Remedy.AnyOf([new Remedy.CreatePool(layout.Root), new Remedy.ImportPool(layout.Root)]))
                : SubvolException.NotFound($"pool {layout.Root} does not exist", new Remedy.CreatePool(layout.Root));
        }

        var files = ErrorTranslation.Guard(() => PoolFiles.Open(layout.Root), layout.Root);
        PoolDatabase? database = null;
        try
        {
            // SQLite opens by name and would follow a link planted at the database or its directory.
            if (files.Status(layout.Database).Kind != EntryKind.File)
            {
                throw PoolFiles.Refusal(new ConfinementException(layout.Database, "is not a regular file"));
            }

            // On a full host SQLite cannot even open its log: give up the repair reserve first.
            RepairReserve.ReleaseIfFull(files, layout.MetadataDirectory);
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
            return new Pool(new PoolSession(layout, database, files), recovered);
        }
        catch (Exception exception)
        {
            database?.Dispose();
            files.Dispose();
            throw ErrorTranslation.Translate(exception);
        }
    }

    public void Dispose() => _session.Dispose();

    public PoolStatus Status()
    {
        var usage = FileSystemStatistics.Get(_session.Layout.Root);
        var subvolumes = _session.Database.ListSubvolumes();
        var snapshots = _session.Database.ListSnapshots();
        var mounted = subvolumes.Count(subvolume => ImageMounts.Find(_session.Layout.SubvolumeImage(subvolume.Name)).Count > 0);
        var reserved = _space.ReservedBytes();
        var slop = SpaceAdmission.Slop(usage.TotalBytes);
        return new PoolStatus(
            _session.Path,
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
            _space.Shortfall(usage, reserved),
            Sharing().Allocated,
            _space.ThinAvailable(usage, reserved));
    }
}
