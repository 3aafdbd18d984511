using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Safety;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol.Pools;

/// <summary>Pools on a machine: made on a directory or in an image file, imported after a reboot, exported, and forgotten.</summary>
internal static class PoolLifecycle
{
    /// <summary>How long export waits for a pool that is busy only because the kernel has not yet let go of it.</summary>
    private static readonly TimeSpan ExportPatience = TimeSpan.FromSeconds(5);

    /// <summary>Creates a pool on a reflink-capable directory, or, given an image, a file-backed pool that works anywhere.</summary>
    /// <param name="sparse">Leave the pool image sparse instead of allocating it on the host, giving up the physical guarantee.</param>
    /// <param name="force">Make a sparse pool image even when it is larger than the host's free space.</param>
    public static OperationResult<KnownPool> Create(string path, string? image, long? size, PoolRegistry registry, bool sparse = false, bool force = false) =>
        ErrorTranslation.Guard(() => CreatePool(path, image, size, registry, sparse, force));

    /// <summary>Brings a pool back: loop-mounts a file-backed pool's image and registers the pool.</summary>
    public static OperationResult<KnownPool> Import(string path, string? image, PoolRegistry registry) =>
        ErrorTranslation.Guard(() => ImportPool(path, image, registry));

    /// <summary>Unmounts every subvolume and snapshot, detaches a file-backed pool, and forgets the pool on this machine.</summary>
    public static Outcome Export(string path, PoolRegistry registry) =>
        ErrorTranslation.Guard(() => ExportPool(path, registry));

    private static OperationResult<KnownPool> CreatePool(string path, string? image, long? size, PoolRegistry registry, bool sparse, bool force)
    {
        if (image is null && size is not null)
        {
            throw SubvolException.Invalid("a size goes with an image file: a pool on a directory uses that directory's space");
        }

        if (image is null && sparse)
        {
            throw SubvolException.Invalid("sparse goes with an image file: only a file-backed pool has an image to leave sparse");
        }

        if (force && !sparse)
        {
            throw SubvolException.Invalid("forcing goes with a sparse image: an allocated pool image must fit in the host's free space");
        }

        var layout = new PoolLayout(path);
        RefuseLinkedRoot(layout);
        image = image is null ? null : System.IO.Path.GetFullPath(image);
        registry.RefuseUnlistable(layout.Root, image);
        if (image is not null && ResolvedPath.Of(image).StartsWith(layout.Root + "/", StringComparison.Ordinal))
        {
            throw SubvolException.Invalid($"the image {image} lies inside the pool's directory {layout.Root}, where the pool mounted over it would hide it; put it beside the pool, for example {layout.Root}.img");
        }

        var known = new KnownPool(layout.Root, image);
        if (image is not null)
        {
            // Run again, a create that was killed half-way starts over from nothing.
            UnfinishedPoolImage.Reclaim(layout, image, registry);
        }

        if (File.Exists(layout.Database))
        {
            var existing = registry.Find(layout.Root);
            if (existing is not null && existing.Image == image)
            {
                return new OperationResult<KnownPool>(Outcome.AlreadyExisted, existing);
            }

            throw SubvolException.AlreadyExists($"{layout.Root} is already a Subvol pool; use it", new Remedy.ImportPool(layout.Root));
        }

        var made = new CreatedDirectories();
        try
        {
            if (image is null)
            {
                CreateOnDirectory(layout, made);
            }
            else
            {
                CreateFileBacked(layout, image, size ?? throw SubvolException.Invalid("a file-backed pool needs a size, for example 100G"), sparse, force, made);
            }
        }
        catch
        {
            // A refused create leaves nothing behind that it made.
            made.RemoveEmpty();
            throw;
        }

        registry.Add(known);
        return new OperationResult<KnownPool>(Outcome.Created, known);
    }

    private static OperationResult<KnownPool> ImportPool(string path, string? image, PoolRegistry registry)
    {
        var layout = new PoolLayout(path);
        RefuseLinkedRoot(layout);
        image = image is null ? registry.Find(layout.Root)?.Image : System.IO.Path.GetFullPath(image);
        registry.RefuseUnlistable(layout.Root, image);
        var outcome = Outcome.AlreadyExisted;
        if (image is not null && Mounts.FindByTarget(layout.Root) is null)
        {
            if (!File.Exists(image))
            {
                throw SubvolException.NotFound($"pool image {image} does not exist");
            }

            RefuseIfAttached(image);
            Directory.CreateDirectory(layout.Root);
            MountPoolImage(image, layout.Root);
            outcome = Outcome.Created;
        }

        FailedFileSystem.RefuseIfFailed(layout, () => image);

        // Imported all the same, so that a repair of the pool can reach the images and rebuild the database from them.
        var damage = Directory.Exists(layout.MetadataDirectory)
            ? ErrorTranslation.Guard(() => PoolDatabase.Damage(layout.Database), layout.Database)
            : null;
        if (!File.Exists(layout.Database) && damage is null)
        {
            if (outcome == Outcome.Created)
            {
                Mounts.Unmount(layout.Root);
            }

            throw image is null
                ? SubvolException.NotFound($"{layout.Root} is not a Subvol pool", new Remedy.ImportPoolWithImage(layout.Root))
                : SubvolException.NotFound($"{image} does not hold a Subvol pool (no .subvol/pool.db inside)");
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
        var layout = new PoolLayout(root);
        if (FailedFileSystem.Probe(layout) is not null)
        {
            // The remedy for a pool whose filesystem shut down begins here: it must be unmounted before its image can be checked.
            FailedFileSystem.UnmountAll(root, fileBacked: known?.Image is not null, ExportPatience);
            return Forget(registry, known ?? new KnownPool(root, null));
        }

        // Unmounting would free the deleted image, and with it the pool's data: that is refused until it is copied back.
        if (DeletedPoolImage.Check(root, known?.Image) is { } deleted)
        {
            throw deleted;
        }

        if (!File.Exists(layout.Database) && !Directory.Exists(layout.MetadataDirectory))
        {
            return known is { Exported: false }
                ? Forget(registry, known)
                : throw SubvolException.NotFound($"{root} is not an imported Subvol pool");
        }

        // Pools are made and imported only where no symbolic link leads now, but an older subvol registered some at or
        // beneath one: such a pool is opened, and its image unmounted, where the link leads, without following links.
        string mountPoint;
        using (var pool = Pool.Open(root))
        {
            pool.UnmountEverything();
            mountPoint = pool.Path;
        }

        if (known?.Image is not null || Mounts.FindByTarget(mountPoint) is { Source: var source } && source.StartsWith("/dev/loop", StringComparison.Ordinal))
        {
            // Subvol's own mounts are gone by now: what is still mounted inside the pool is somebody else's, which no list of programs shows.
            var inside = Mounts.Read().Where(mount => mount.Target.StartsWith(mountPoint + "/", StringComparison.Ordinal)).Select(mount => $"{mount.Target} ({mount.FileSystemType})").ToList();
            if (inside.Count > 0)
            {
                throw SubvolException.Busy($"pool {root} has other filesystems mounted inside it: {string.Join(", ", inside)}; unmount them, then export again");
            }

            try
            {
                // Its subvolumes' loop devices, just detached, let go of their images a moment later.
                Mounts.UnmountPatiently(mountPoint, ExportPatience);
            }
            catch (SystemCallException exception) when (exception.Errno == Errno.EBUSY)
            {
                throw SubvolException.Busy($"pool {root} is still in use ({exception.Message}); close the programs using it (see 'fuser -vm {mountPoint}') and try again");
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

    private static void CreateOnDirectory(PoolLayout layout, CreatedDirectories made)
    {
        made.Create(layout.Root);
        if (!Reflink.IsSupported(layout.Root))
        {
            var type = FileSystemStatistics.Get(layout.Root).TypeName;
            throw SubvolException.NotSupported(
                $"{layout.Root} is on {type}, which cannot reflink, so snapshots would be full copies",
                new Remedy.CreateFileBackedPool(layout.Root));
        }

        Initialize(layout, image: null, sparse: false);
    }

    /// <summary>What a sparse pool image gives up, for the person who asked for one.</summary>
    public static string SparseImageRisk(string image) =>
        $"the pool image {image} is sparse: it takes host space only as it is written, so when the host filesystem fills, " +
        "writes into every subvolume of the pool fail, guaranteed ones too; guaranteed subvolumes are guaranteed only in a pool whose image is allocated";

    private static void CreateFileBacked(PoolLayout layout, string image, long size, bool sparse, bool force, CreatedDirectories made)
    {
        if (File.Exists(image))
        {
            throw SubvolException.AlreadyExists($"{image} already exists; choose another image file", new Remedy.ImportPool(layout.Root, image));
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

        made.Create(System.IO.Path.GetDirectoryName(image)!);
        EnsureHostCanHold(image, size, sparse, force);
        var mounted = false;
        try
        {
            // The pool image holds every subvolume's data: it is made 0600, whatever the umask, before anything is written.
            using (var directory = ConfinedDirectory.Open(System.IO.Path.GetDirectoryName(image)!))
            using (var file = directory.CreateFile(System.IO.Path.GetFileName(image), PoolFiles.PrivateFileMode))
            {
                UnfinishedPoolImage.Mark(file, image, layout.Root);
                RandomAccess.SetLength(file, size);
            }

            PausePoint.Reach("pool-create-made");

            if (!sparse)
            {
                // Allocated, not written: every block the pool's filesystem will ever use is the pool's on the host, so no other writer there can take it.
                AllocatePoolImage(image, size);
            }

            Tools.MakeXfs(image, "subvol-pool", reflink: true);
            made.Create(layout.Root);
            MountPoolImage(image, layout.Root);
            mounted = true;
            PausePoint.Reach("pool-create-mounted");
            Initialize(layout, image, sparse);
            UnfinishedPoolImage.Finish(image);
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

    /// <summary>
    /// A pool is found in the mount table by its path, and unmounted without following links, so its directory must be
    /// the directory itself: through a symbolic link, the pool's image would be mounted where the link points, and
    /// neither found nor unmounted by the name it was given.
    /// </summary>
    private static void RefuseLinkedRoot(PoolLayout layout)
    {
        if (new DirectoryInfo(layout.Root).LinkTarget is { } target)
        {
            throw SubvolException.Invalid($"{layout.Root} is a symbolic link (to {target}); give the directory it leads to as the pool");
        }

        // The kernel names mounts and loop devices' backing files by where links lead, and the pool finds its mounts by those names.
        if (ResolvedPath.Of(layout.Root) is var resolved && resolved != layout.Root)
        {
            throw SubvolException.Invalid($"{layout.Root} lies beneath a symbolic link: it is {resolved}; give that path as the pool");
        }
    }

    /// <summary>Refuses, with the numbers, a pool image the host filesystem cannot hold.</summary>
    private static void EnsureHostCanHold(string image, long size, bool sparse, bool force)
    {
        var host = FileSystemStatistics.Get(System.IO.Path.GetDirectoryName(image)!);
        if (size <= host.AvailableBytes)
        {
            return;
        }

        var numbers = $"the host filesystem of {image} has {ByteSize.Format(host.AvailableBytes)} free, and the pool image would be {ByteSize.Format(size)}";
        if (!sparse)
        {
            throw SubvolException.NoSpace($"{numbers}; a pool image is allocated in full when it is made: choose a smaller size or free space on the host");
        }

        if (!force)
        {
            throw SubvolException.NoSpace($"{numbers}; a sparse pool larger than its host fails writes, guaranteed or not, once the host fills", new Remedy.RepeatWithForce("to make it anyway"));
        }
    }

    private static void AllocatePoolImage(string image, long size)
    {
        try
        {
            FileSpace.Preallocate(image, 0, size);
        }
        catch (SystemCallException exception) when (exception.Errno == Errno.ENOSPC)
        {
            // Another writer took the space between the check and the allocation.
            throw SubvolException.NoSpace($"the host filesystem of {image} has no room left for a pool image of {ByteSize.Format(size)} ({exception.Message}); choose a smaller size or free space on the host", exception);
        }
        catch (SystemCallException exception) when (exception.Errno == Errno.EOPNOTSUPP)
        {
            throw SubvolException.NotSupported(
                $"the host filesystem of {image} cannot allocate a file without writing it ({exception.Message})",
                new Remedy.AnyOf([new Remedy.Advice("put the image on another filesystem"), new Remedy.LeaveImageSparse()]));
        }
    }

    /// <summary>A pool image mounted twice, through two loop devices, would be two filesystems writing the same blocks.</summary>
    private static void RefuseIfAttached(string image)
    {
        if (LoopDevice.ListBackedBy(image) is not [var attached, ..])
        {
            return;
        }

        var mount = ImageMounts.MountsOf([attached]).FirstOrDefault();
        throw SubvolException.Busy(
            $"pool image {image} is already attached to {attached.DevicePath}" + (mount is null ? "" : $" and mounted at {mount.Target}") +
            "; mounting it a second time would corrupt it",
            new Remedy.Advice(mount is null
                ? $"detach it with 'losetup -d {attached.DevicePath}' first"
                : $"use the pool at {mount.Target}, or export it there ('subvol pool export {mount.Target}') and import it again"));
    }

    private static void MountPoolImage(string image, string root)
    {
        using var loop = LoopDevice.Attach(image, readOnly: false, directIo: true, autoClear: true);
        MountRefusal.Translate($"pool image {image}", root, () => Mounts.Mount(loop.DevicePath, root, FileSystemKind.Xfs, MountFlags.None, null),
            FileSystemKind.CheckCommand(FileSystemKind.Xfs, image));
        ImageMounts.ConfigureErrors(loop.DevicePath);
    }

    private static void Initialize(PoolLayout layout, string? image, bool sparse)
    {
        using var files = PoolFiles.Open(layout.Root);

        // Users may pass through the root to reach mounts/, but may not list it or read anything below.
        files.SetMode(layout.Root, PoolFiles.PassableDirectoryMode);
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
                PoolSession.RecordImage(database, image, sparse);
            }

            PoolSettings.Write(files, layout.MetadataDirectory, database.ListPoolValues());
        }

        Space.RepairReserve.Restore(files, layout.MetadataDirectory);
    }

    /// <summary>Makes the layout and metadata of a pool on any directory, without the reflink check; for tests of the rules alone.</summary>
    public static Pool InitializeForTests(string path)
    {
        var layout = new PoolLayout(path);
        Directory.CreateDirectory(layout.Root);
        Initialize(layout, image: null, sparse: false);
        return Pool.Open(path);
    }
}
