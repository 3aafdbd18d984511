using Subvol.Linux;
using Subvol.Metadata;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>Creates a pool on a reflink-capable directory, or, given an image, a file-backed pool that works anywhere.</summary>
    public static OperationResult<KnownPool> Create(string path, string? image, long? size, PoolRegistry registry) =>
        ErrorTranslation.Guard(() => CreatePool(path, image, size, registry));

    /// <summary>Brings a pool back: loop-mounts a file-backed pool's image and registers the pool.</summary>
    public static OperationResult<KnownPool> Import(string path, string? image, PoolRegistry registry) =>
        ErrorTranslation.Guard(() => ImportPool(path, image, registry));

    /// <summary>Unmounts every subvolume and snapshot, detaches a file-backed pool, and forgets the pool on this machine.</summary>
    public static Outcome Export(string path, PoolRegistry registry) =>
        ErrorTranslation.Guard(() => ExportPool(path, registry));

    private static OperationResult<KnownPool> CreatePool(string path, string? image, long? size, PoolRegistry registry)
    {
        var layout = new Pools.PoolLayout(path);
        image = image is null ? null : System.IO.Path.GetFullPath(image);
        var known = new KnownPool(layout.Root, image);
        if (File.Exists(layout.Database))
        {
            var existing = registry.Find(layout.Root);
            if (existing is not null && existing.Image == image)
            {
                return new OperationResult<KnownPool>(Outcome.AlreadyExisted, existing);
            }

            throw SubvolException.AlreadyExists($"{layout.Root} is already a Subvol pool; use it, or import it with 'subvol pool import {layout.Root}'");
        }

        if (image is null)
        {
            CreateOnDirectory(layout);
        }
        else
        {
            CreateFileBacked(layout, image, size ?? throw SubvolException.Invalid("a file-backed pool needs --size, for example --size 100G"));
        }

        registry.Add(known);
        return new OperationResult<KnownPool>(Outcome.Created, known);
    }

    private static OperationResult<KnownPool> ImportPool(string path, string? image, PoolRegistry registry)
    {
        var layout = new Pools.PoolLayout(path);
        image = image is null ? registry.Find(layout.Root)?.Image : System.IO.Path.GetFullPath(image);
        var outcome = Outcome.AlreadyExisted;
        if (image is not null && Mounts.FindByTarget(layout.Root) is null)
        {
            if (!File.Exists(image))
            {
                throw SubvolException.NotFound($"pool image {image} does not exist");
            }

            Directory.CreateDirectory(layout.Root);
            MountPoolImage(image, layout.Root);
            outcome = Outcome.Created;
        }

        // Imported all the same, so that 'subvol check --repair' can reach the images and rebuild the database from them.
        var damage = Directory.Exists(layout.MetadataDirectory)
            ? ErrorTranslation.Guard(() => PoolDatabase.Damage(layout.Database), layout.Database)
            : null;
        if (!File.Exists(layout.Database) && damage is null)
        {
            if (outcome == Outcome.Created)
            {
                Mounts.Unmount(layout.Root);
            }

            throw SubvolException.NotFound(image is null
                ? $"{layout.Root} is not a Subvol pool; for a file-backed pool give its image: 'subvol pool import {layout.Root} --image FILE'"
                : $"{image} does not hold a Subvol pool (no .subvol/pool.db inside)");
        }

        var known = new KnownPool(layout.Root, image);
        if (registry.Find(layout.Root) != known)
        {
            registry.Add(known);
            outcome = Outcome.Created;
        }

        if (damage is not null)
        {
            throw PoolDatabase.Damaged(layout.Database, damage);
        }

        return new OperationResult<KnownPool>(outcome, known);
    }

    private static Outcome ExportPool(string path, PoolRegistry registry)
    {
        var root = PoolRegistry.Normalize(path);
        var known = registry.Find(root);
        // Open reports a pool whose .subvol directory lost its database as damaged.
        if (!File.Exists(System.IO.Path.Combine(root, ".subvol", "pool.db")) && !Directory.Exists(System.IO.Path.Combine(root, ".subvol")))
        {
            return known is { Exported: false }
                ? Forget(registry, known)
                : throw SubvolException.NotFound($"{root} is not an imported Subvol pool");
        }

        using (var pool = Open(root))
        {
            using var writeLock = pool.AcquireWriteLock();
            foreach (var image in pool.AllImages())
            {
                ImageMounts.Unmount(image);
            }
        }

        if (known?.Image is not null || Mounts.FindByTarget(root) is { Source: var source } && source.StartsWith("/dev/loop", StringComparison.Ordinal))
        {
            try
            {
                Mounts.Unmount(root);
            }
            catch (SystemCallException exception) when (exception.Errno == Errno.EBUSY)
            {
                throw SubvolException.Busy($"pool {root} is still in use ({exception.Message}); close the programs using it (see 'fuser -vm {root}') and try again");
            }
        }

        return Forget(registry, known ?? new KnownPool(root, null));
    }

    /// <summary>A file-backed pool's image is remembered so that import needs only the path; a directory pool is simply forgotten.</summary>
    private static Outcome Forget(PoolRegistry registry, KnownPool known)
    {
        if (known.Image is null)
        {
            registry.Remove(known.Path);
        }
        else
        {
            registry.Add(known with { Exported = true });
        }

        return Outcome.Deleted;
    }

    private static void CreateOnDirectory(Pools.PoolLayout layout)
    {
        Directory.CreateDirectory(layout.Root);
        if (!Reflink.IsSupported(layout.Root))
        {
            var type = FileSystemStatistics.Get(layout.Root).TypeName;
            throw SubvolException.NotSupported(
                $"{layout.Root} is on {type}, which cannot reflink, so snapshots would be full copies; " +
                $"make a file-backed pool instead: subvol pool create {layout.Root} --image /var/lib/subvol/pool.img --size 100G");
        }

        Initialize(layout, image: null);
    }

    private static void CreateFileBacked(Pools.PoolLayout layout, string image, long size)
    {
        if (File.Exists(image))
        {
            throw SubvolException.AlreadyExists($"{image} already exists; choose another image file or import it with 'subvol pool import {layout.Root} --image {image}'");
        }

        if (Directory.Exists(layout.Root) && Directory.EnumerateFileSystemEntries(layout.Root).Any())
        {
            throw SubvolException.Invalid($"{layout.Root} is not empty; a file-backed pool is mounted there, so choose an empty or new directory");
        }

        size = ByteSize.RoundUp(size, 1 << 20);
        if (size < FileSystemKind.MinimumSize(FileSystemKind.Xfs))
        {
            throw SubvolException.Invalid($"a file-backed pool needs at least {ByteSize.Format(FileSystemKind.MinimumSize(FileSystemKind.Xfs))}");
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(image)!);
        var mounted = false;
        try
        {
            // The pool image holds every subvolume's data: it is made 0600, whatever the umask, before anything is written.
            using (var directory = ConfinedDirectory.Open(System.IO.Path.GetDirectoryName(image)!))
            using (var file = directory.CreateFile(System.IO.Path.GetFileName(image), Pools.PoolFiles.PrivateFileMode))
            {
                RandomAccess.SetLength(file, size);
            }

            Tools.MakeXfs(image, "subvol-pool", reflink: true);
            Directory.CreateDirectory(layout.Root);
            MountPoolImage(image, layout.Root);
            mounted = true;
            Initialize(layout, image);
        }
        catch
        {
            if (mounted)
            {
                Mounts.Unmount(layout.Root);
            }

            File.Delete(image);
            throw;
        }
    }

    private static void MountPoolImage(string image, string root)
    {
        using var loop = LoopDevice.Attach(image, readOnly: false, directIo: true, autoClear: true);
        Mounts.Mount(loop.DevicePath, root, FileSystemKind.Xfs, MountFlags.None, null);
        ImageMounts.ConfigureErrors(loop.DevicePath);
    }

    private static void Initialize(Pools.PoolLayout layout, string? image)
    {
        using var files = Pools.PoolFiles.Open(layout.Root);

        // Users may pass through the root to reach mounts/, but may not list it or read anything below.
        files.SetMode(layout.Root, Pools.PoolFiles.PassableDirectoryMode);
        layout.CreateDirectories(files);

        // SQLite gives its -wal and -shm files the mode of the database (os_unix.c, findCreateFileMode), so the
        // database is made, empty and private, before SQLite first opens it.
        if (!files.Exists(layout.Database))
        {
            files.CreateFile(layout.Database).Dispose();
        }

        using (var database = PoolDatabase.Open(layout.Database, create: true))
        {
            if (image is not null)
            {
                database.SetPoolValue("image", image);
            }

            PoolSettings.Write(layout.MetadataDirectory, database.ListPoolValues());
        }

        Space.RepairReserve.Restore(files, layout.MetadataDirectory);
    }

    /// <summary>Makes the layout and metadata of a pool on any directory, without the reflink check; for tests of the rules alone.</summary>
    internal static Pool InitializeForTests(string path)
    {
        var layout = new Pools.PoolLayout(path);
        Initialize(layout, image: null);
        return Open(path);
    }

    private IEnumerable<string> AllImages() =>
        _database.ListSubvolumes().Select(subvolume => _layout.SubvolumeImage(subvolume.Name))
            .Concat(_database.ListSnapshots().Select(snapshot => _layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name)));
}
