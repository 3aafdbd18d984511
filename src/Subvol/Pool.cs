using Subvol.Accounting;
using Subvol.ChangedBlocks;
using Subvol.Checking;
using Subvol.Encryption;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Policies;
using Subvol.Pools;
using Subvol.Replication;
using Subvol.Safety;
using Subvol.Snapshots;
using Subvol.Space;
using Subvol.Stream;
using Subvol.Subvolumes;

namespace Subvol;

/// <summary>
/// An open pool: the one front through which every rule about subvolumes and snapshots is reached.
/// Each call goes to the collaborator that owns it (docs/architecture.md draws them); they share the
/// pool's session (layout, database, files and write lock) and its space ledger, and hold no state
/// of their own, so they are made per call. Readers use the database freely; every change of state
/// holds the write lock.
/// </summary>
public sealed class Pool : IDisposable
{
    private readonly PoolSession _session;
    private readonly SpaceAdmission _space;

    private Pool(PoolSession session, IReadOnlyList<string> recoveredFreezes)
    {
        _session = session;
        _space = new SpaceAdmission(session);
        RecoveredFreezes = recoveredFreezes;
    }

    private SubvolumeLifecycle Subvolumes => new(_session, _space);

    private SubvolumeResizer Resizer => new(_session, _space);

    private Exposure Exposure => new(_session);

    private BlockDevices BlockDevices => new(_session);

    private SnapshotLookup SnapshotLookup => new(_session);

    private Snapshotter Snapshotter => new(_session, _space);

    private SubvolumeCloner Cloner => new(_session, _space);

    private SendOperation Sending => new(_session);

    private ReceiveOperation Receiving => new(_session, _space, SnapshotLookup.DescribePublished, new SnapshotRollback(_session).ReplaceImage);

    private Replicator Replicator => new(
        _session,
        Sending,
        subvolume => Snapshotter.Create(subvolume, null, null, SnapshotNames.SyncPrefix),
        (subvolume, snapshots) => Snapshotter.Destroy(subvolume, snapshots));

    private UsageReport Accounting => new(_session);

    private PolicyRunner PolicyRunner => new(this, _session, new ReplicationTransfer(_session, Sending));

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

    /// <summary>Creates a pool on a reflink-capable directory, or, given an image, a file-backed pool that works anywhere.</summary>
    /// <param name="sparse">Leave the pool image sparse instead of allocating it on the host, giving up the physical guarantee.</param>
    /// <param name="force">Make a sparse pool image even when it is larger than the host's free space.</param>
    public static OperationResult<KnownPool> Create(string path, string? image, long? size, PoolRegistry registry, bool sparse = false, bool force = false)
    {
        // The pool records when it was made; a malformed SUBVOL_NOW is refused before anything is made.
        _ = Clock.Now;
        return PoolLifecycle.Create(path, image, size, registry, sparse, force);
    }

    /// <summary>Brings a pool back: loop-mounts a file-backed pool's image and registers the pool.</summary>
    public static OperationResult<KnownPool> Import(string path, string? image, PoolRegistry registry) => PoolLifecycle.Import(path, image, registry);

    /// <summary>Unmounts every subvolume and snapshot, detaches a file-backed pool, and forgets the pool on this machine.</summary>
    public static Outcome Export(string path, PoolRegistry registry) => PoolLifecycle.Export(path, registry);

    /// <summary>What a sparse pool image gives up, for the person who asked for one.</summary>
    public static string SparseImageRisk(string image) => PoolLifecycle.SparseImageRisk(image);

    /// <summary>
    /// Whether a pool is there to be opened at <paramref name="path"/>: its metadata exists, which for a
    /// file-backed pool means its image is mounted. A cheap test for callers that poll, such as a readiness probe.
    /// </summary>
    public static bool Exists(string path) => File.Exists(new PoolLayout(path).Database);

    /// <summary>
    /// When the pool's database is missing or damaged, moves it aside and rebuilds it from the images'
    /// identities, and says what came back; null when the database is sound (or the path is no pool).
    /// </summary>
    public static CheckReport? RebuildDamagedMetadata(string path) => ErrorTranslation.Guard(() => PoolCheck.RebuildDamagedMetadata(path), path);

    /// <summary>Makes the layout and metadata of a pool on any directory, without the reflink check; for tests of the rules alone.</summary>
    internal static Pool InitializeForTests(string path) => PoolLifecycle.InitializeForTests(path);

    /// <param name="registry">The machine's pool list, which lets the error for a pool that is not imported say so.</param>
    public static Pool Open(string path, PoolRegistry? registry = null)
    {
        // A malformed SUBVOL_NOW is refused before anything changes, not half-way through a verb that records a time.
        _ = Clock.Now;
        var layout = new PoolLayout(path);
        FailedFileSystem.RefuseIfFailed(layout, () => registry?.Find(layout.Root)?.Image);
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

        // An older subvol registered pools at or beneath a symbolic link. The kernel names their images' mounts and loop
        // devices by where the link leads, and mount state is found by those names, so such a pool is opened there.
        if (ErrorTranslation.Guard(() => ResolvedPath.Of(layout.Root), layout.Root) is var resolved && resolved != layout.Root)
        {
            layout = new PoolLayout(resolved);
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
            var recovered = FreezeRecord.RecoverAbandoned(files, layout.FreezeDirectory, (subvolume, mountPoint) => ImageMounts.SubvolumeMountedAt(layout, subvolume, mountPoint));
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
            Accounting.Read().Allocated,
            _space.ThinAvailable(usage, reserved));
    }

    /// <summary>
    /// Checks the pool at <paramref name="path"/>; with repair, a missing or damaged database is rebuilt from the
    /// images first, since opening the pool is what refuses one, and the report says what came back and what else was fixed.
    /// </summary>
    /// <param name="open">How the front end opens a pool (it may tell its user what opening found).</param>
    public static CheckReport Check(string path, bool repair, Func<string, Pool> open)
    {
        var rebuilt = repair ? RebuildDamagedMetadata(path) : null;
        using var pool = open(path);
        var report = pool.Check(repair);
        return rebuilt is null ? report : new CheckReport([.. rebuilt.Findings, .. report.Findings]);
    }

    /// <summary>Finds disagreements between metadata, files and the kernel; with repair, fixes every one that has a safe fix.</summary>
    public CheckReport Check(bool repair) => new PoolCheck(_session, _space).Run(repair, RecoveredFreezes, Subvolumes.FinishRenames);

    /// <summary>Referenced, exclusive and shared bytes of every subvolume and snapshot, from their extent maps.</summary>
    public SpaceUsage Usage() => Accounting.Usage();

    /// <summary>
    /// One pass of the space guard: under the critical threshold it remounts mounted thin subvolumes
    /// (and, during a shortfall, guaranteed ones) read-only or freezes them; over the resume threshold it undoes that.
    /// </summary>
    /// <param name="canHoldFreezes">True for a long-running guard: a freeze lasts only while its process lives.</param>
    public IReadOnlyList<GuardAction> GuardOnce(GuardThresholds thresholds, bool canHoldFreezes) => new SpaceGuard(_session, _space).GuardOnce(thresholds, canHoldFreezes);

    /// <summary>Runs fstrim in a mounted thin subvolume: the loop device turns discards into holes in its image.</summary>
    public TrimResult Trim(string name) => new Trimmer(_session).Trim(name);

    // Subvolumes: their lifecycle, their size, and where they are seen.
    public IReadOnlyList<SubvolumeInfo> ListSubvolumes() => Subvolumes.List(Accounting.ExclusiveBytes());

    /// <summary>
    /// Subvolumes and their snapshots from one reading of every extent map, as 'list -t all' shows them; with a
    /// name, that subvolume alone (an unknown one is an error) and its snapshots.
    /// </summary>
    public ImageListing ListImages(string? subvolume = null)
    {
        if (subvolume is not null)
        {
            _session.RequireSubvolume(subvolume);
        }

        // Every snapshot's row and the kernel's mounts are read once for the whole listing.
        var snapshots = _session.Database.ListSnapshots();
        var reading = Accounting.Read(snapshots);
        var mounts = MountTable.Read();
        // Subvolumes only: a snapshot's NAME@SNAP is no subvolume's name, and thousands of them made a dictionary nobody looked in.
        var subvolumes = Subvolumes.List(reading.Images.Where(entry => !entry.Key.Contains('@')).ToDictionary(entry => entry.Key, entry => entry.Value.Exclusive), mounts);
        return new ImageListing(
            subvolume is null ? subvolumes : subvolumes.Where(info => info.Name == subvolume).ToList(),
            SnapshotLookup.List(subvolume, snapshots, reading, mounts));
    }

    public SubvolumeInfo GetSubvolume(string name) => Subvolumes.Get(name);

    public SubvolumeInfo? FindSubvolume(string name) => Subvolumes.Find(name);

    /// <summary>Makes a sparse image of the given size, formats it, and publishes it as a subvolume.</summary>
    /// <param name="creator">Recorded as the subvolume's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public OperationResult<SubvolumeInfo> CreateSubvolume(string name, long size, string fileSystem, Provisioning provisioning = Provisioning.Guaranteed, string? creator = null) =>
        Subvolumes.Create(name, size, fileSystem, provisioning, creator);

    /// <summary>Makes an encrypted ext4 subvolume: a random master key of its own, stored only wrapped under <paramref name="key"/>.</summary>
    public OperationResult<SubvolumeInfo> CreateEncryptedSubvolume(string name, long size, string fileSystem, Provisioning provisioning, KeyMaterial key) =>
        Subvolumes.Create(name, size, fileSystem, provisioning, creator: null, key);

    /// <summary>Deletes a subvolume; its snapshots go too only when asked, and never while anything is mounted.</summary>
    public Outcome DeleteSubvolume(string name, bool recursive) => Subvolumes.Delete(name, recursive);

    public void RenameSubvolume(string oldName, string newName) => Subvolumes.Rename(oldName, newName);

    /// <summary>Grows online (or offline); shrinks only an unmounted ext4, because XFS cannot shrink.</summary>
    public OperationResult<SubvolumeInfo> ResizeSubvolume(string name, long newSize) => Resizer.Resize(name, newSize, growOnly: false);

    /// <summary>
    /// Grows a subvolume to at least <paramref name="newSize"/> and never shrinks it: online when it
    /// is mounted, offline when it is not, and, when it is attached as a block device, the image and
    /// the device only (the filesystem on a raw block device belongs to its user).
    /// </summary>
    public OperationResult<SubvolumeInfo> Grow(string name, long newSize) => Resizer.Resize(name, newSize, growOnly: true);

    /// <summary>
    /// Changes what <paramref name="settings"/> names, in place and mounted or not: provisioning to guaranteed is admitted
    /// as creating one is and allocates the image; to thin gives back the space the image holds but never wrote.
    /// </summary>
    public OperationResult<SubvolumeInfo> ChangeSubvolume(string name, SubvolumeSettings settings) =>
        settings.Provisioning is { } provisioning ? new ProvisioningConversion(_session, _space).Convert(name, provisioning) : new(Outcome.Unchanged, GetSubvolume(name));

    /// <summary>Mounts a subvolume read-write, or a snapshot read-only, at the given directory or the pool's default.</summary>
    public OperationResult<string> Mount(string target, string? at) => Exposure.Mount(target, at);

    /// <summary>Mounts as <see cref="Mount(string, string?)"/> does; an encrypted subvolume or snapshot is unlocked with <paramref name="key"/>.</summary>
    public OperationResult<string> Mount(string target, string? at, KeyMaterial? key) => Exposure.Mount(target, at, key);

    /// <summary>Whether NAME or NAME@SNAP is encrypted, and so needs a key to be mounted.</summary>
    public bool IsEncrypted(string target) =>
        SnapshotReference.Split(target) is (var subvolume, { } snapshot)
            ? _session.RequireSnapshot(new SnapshotReference(subvolume, snapshot)).WrappedKey is not null
            : _session.RequireSubvolume(target).WrappedKey is not null;

    /// <summary>The key file named in the pool's settings, which unlocks encrypted subvolumes when no key is given; null when none is.</summary>
    public string? KeyFile => _session.Database.GetPoolValue(SubvolumeKeys.KeyFileSetting);

    /// <summary>Names a key file that unlocks encrypted subvolumes when a command is given no key; it must be a valid key file already.</summary>
    public void SetKeyFile(string path) => new SubvolumeKeys(_session).SetKeyFile(path);

    /// <summary>Loads the key of a mounted encrypted subvolume or snapshot into its filesystem's keyring.</summary>
    public Outcome LoadKey(string target, KeyMaterial? key) => new SubvolumeKeys(_session).Load(target, key);

    /// <summary>Takes the key of a mounted encrypted subvolume or snapshot out of its filesystem's keyring, locking its files.</summary>
    public Outcome UnloadKey(string target) => new SubvolumeKeys(_session).Unload(target);

    /// <summary>Wraps the master key of an encrypted subvolume and its snapshots under <paramref name="next"/>; no data is re-encrypted.</summary>
    public void ChangeKey(string name, KeyMaterial? current, KeyMaterial next) => new SubvolumeKeys(_session).Change(name, current, next);

    /// <summary>Unmounts a subvolume or snapshot wherever it is mounted, or what of the pool is mounted on a directory.</summary>
    public Outcome Unmount(string target) => Exposure.Unmount(target);

    /// <summary>
    /// Mounts a subvolume at a directory of the caller's choosing with mount(8)-style options
    /// ("noatime", "ro", "discard"), or says it already is mounted there.
    /// </summary>
    public OperationResult<string> MountAt(string name, string at, IReadOnlyList<string> options) => Exposure.MountAt(name, at, options);

    /// <summary>
    /// Unmounts what of this subvolume is mounted at <paramref name="at"/> (its mount, a bind mount, or its
    /// bound device node), and with <paramref name="removeLeftover"/> deletes the empty directory or file left there.
    /// </summary>
    public Outcome UnmountAt(string name, string at, bool removeLeftover) => Exposure.UnmountAt(name, at, removeLeftover);

    /// <summary>Whether a subvolume is mounted (or bind-mounted) exactly at <paramref name="path"/>.</summary>
    public bool IsMountedAt(string name, string path) => Exposure.IsMountedAt(name, path);

    /// <summary>Bind-mounts a subvolume's existing mount at <paramref name="from"/> onto <paramref name="at"/>, read-only when asked.</summary>
    public OperationResult<string> BindMount(string name, string from, string at, bool readOnly) => Exposure.BindMount(name, from, at, readOnly);

    /// <summary>The usage of a subvolume seen at <paramref name="path"/>: a directory it is mounted on, or a node of its block device.</summary>
    public MountUsage Measure(string name, string path) => Exposure.Measure(name, path);

    /// <summary>
    /// Attaches a subvolume's image to a loop device without mounting it, so that it can be used as
    /// a raw block device. The device stays attached (no auto-clear) until <see cref="Detach"/>.
    /// </summary>
    public OperationResult<string> Attach(string name, bool readOnly) => BlockDevices.Attach(name, readOnly);

    /// <summary>Detaches the loop devices that hold a subvolume's image without a mount; mounted ones are left alone.</summary>
    public Outcome Detach(string name) => BlockDevices.Detach(name);

    /// <summary>The loop device a subvolume's image is attached to without being mounted (a block device in use), or null.</summary>
    public string? FindAttachedDevice(string name) => BlockDevices.FindAttached(name);

    /// <summary>
    /// Makes the loop device a subvolume is attached to appear at <paramref name="at"/> by bind-mounting
    /// the device node onto a file there, which is how a container receives a raw block volume.
    /// </summary>
    public OperationResult<string> BindDevice(string name, string at) => BlockDevices.Bind(name, at);

    // Snapshots, clones and rollback.

    /// <summary>Snapshots of one subvolume or of all, with the exclusive bytes that only every extent map can tell.</summary>
    public IReadOnlyList<SnapshotInfo> ListSnapshots(string? subvolume = null) => SnapshotLookup.List(subvolume);

    /// <summary>
    /// Snapshots by subvolume and name, either of which may be left out, without the per-image usage
    /// that <see cref="ListSnapshots"/> computes from every extent map; for callers that poll often.
    /// </summary>
    public IReadOnlyList<SnapshotInfo> FindSnapshots(string? subvolume = null, string? snapshot = null) => SnapshotLookup.Find(subvolume, snapshot);

    public SnapshotInfo GetSnapshot(SnapshotReference reference) => SnapshotLookup.Get(reference);

    /// <summary>Snapshots of several subvolumes at one instant (all frozen, all cloned, all thawed), published all together or not at all.</summary>
    public IReadOnlyList<SnapshotInfo> CreateSnapshots(IReadOnlyList<SnapshotReference> members, string? creator = null) =>
        new GroupSnapshotter(_session, _space).Create(members, creator);

    /// <summary>Freezes the subvolume's filesystem if mounted, reflink-clones its image and thaws; a killed process leaves nothing frozen.</summary>
    /// <param name="creator">Recorded as the snapshot's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public SnapshotInfo CreateSnapshot(string subvolume, string? snapshot, string? creator = null) => Snapshotter.Create(subvolume, snapshot, creator);

    /// <summary>Takes a snapshot whose name is unique in the pool, or returns the one an earlier request with that name took.</summary>
    public OperationResult<SnapshotInfo> EnsureSnapshot(string subvolume, string snapshot, string? creator = null) =>
        new RepeatableSnapshots(SnapshotLookup, Snapshotter).Ensure(subvolume, snapshot, creator);

    public Outcome DestroySnapshot(SnapshotReference reference) => Snapshotter.Destroy(reference);

    /// <summary>
    /// Takes a group snapshot recorded under <paramref name="name"/> (each member SUBVOLUME@NAME, all at one instant), or
    /// returns the group an earlier request with that name and those subvolumes took; other subvolumes are AlreadyExists.
    /// </summary>
    public OperationResult<SnapshotGroupInfo> EnsureSnapshotGroup(string name, IReadOnlyList<string> subvolumes, string? creator = null) =>
        new SnapshotGroups(_session, _space).Ensure(name, subvolumes, creator);

    /// <summary>A recorded group snapshot, or null; a list of its snapshots that disagrees with it is InvalidArgument.</summary>
    public SnapshotGroupInfo? FindSnapshotGroup(string name, IReadOnlyList<SnapshotReference>? expected = null) =>
        new SnapshotGroups(_session, _space).Find(name, expected);

    /// <summary>Destroys a group snapshot's remaining snapshots and the group; a list of its snapshots that disagrees destroys nothing.</summary>
    public Outcome DestroySnapshotGroup(string name, IReadOnlyList<SnapshotReference>? expected = null) =>
        new SnapshotGroups(_session, _space).Destroy(name, expected);

    /// <summary>
    /// Destroys those of the named snapshots of one subvolume that exist, under one write lock and one metadata
    /// transaction, and returns them as they were; a name the subvolume does not hold is left out of the result.
    /// </summary>
    public IReadOnlyList<SnapshotInfo> DestroySnapshots(string subvolume, IReadOnlyList<string> snapshots) => Snapshotter.Destroy(subvolume, snapshots);

    /// <summary>Destroys every named snapshot that exists, of one subvolume or several, all checked first; says which were missing.</summary>
    public SnapshotsDestroyed DestroySnapshots(IReadOnlyList<SnapshotReference> snapshots) => Snapshotter.Destroy(snapshots);

    /// <summary>Makes an independent, writable subvolume from a snapshot, with a filesystem UUID of its own.</summary>
    /// <param name="creator">Recorded as the clone's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public OperationResult<SubvolumeInfo> CloneSnapshot(SnapshotReference source, string name, Provisioning provisioning = Provisioning.Guaranteed, string? creator = null) =>
        Cloner.FromSnapshot(source, name, provisioning, creator);

    /// <summary>Makes an independent, writable subvolume from another subvolume as it is now, through a snapshot taken for the purpose.</summary>
    public OperationResult<SubvolumeInfo> CloneSubvolume(string source, string name, Provisioning provisioning = Provisioning.Guaranteed, string? creator = null) =>
        Cloner.FromSubvolume(source, name, provisioning, creator);

    /// <summary>Puts a snapshot's image back in place of its subvolume's; newer snapshots block it unless forced.</summary>
    public IReadOnlyList<string> Rollback(SnapshotReference reference, bool force) => new SnapshotRollback(_session).Run(reference, force);

    // Send, receive and replicate.

    /// <summary>Writes a full stream of a snapshot, or from a base only what changed; takes no lock.</summary>
    public SendResult Send(SnapshotReference target, SnapshotReference? from, System.IO.Stream output, StreamCompression compression, IProgress<ReplicationProgress>? progress = null, CancellationToken cancellation = default) =>
        Sending.Send(target, from, output, compression, progress, cancellation);

    /// <summary>Continues a send from a receiver's token.</summary>
    public SendResult ResumeSend(string token, System.IO.Stream output, StreamCompression compression, IProgress<ReplicationProgress>? progress = null, CancellationToken cancellation = default) =>
        Sending.Resume(token, output, compression, progress, cancellation);

    /// <summary>Receives a stream as a new snapshot of <paramref name="subvolume"/> and moves the subvolume to it; <paramref name="force"/> lets it discard writes made since its last snapshot.</summary>
    public ReceiveResult Receive(string subvolume, System.IO.Stream input, IProgress<ReplicationProgress>? progress = null, bool force = false, CancellationToken cancellation = default) =>
        Receiving.Receive(subvolume, input, progress, force, cancellation);

    /// <summary>The token that asks the sender for the rest of an interrupted receive.</summary>
    public string ResumeTokenFor(string subvolume) => Receiving.ResumeTokenFor(subvolume);

    public Outcome AbortReceive(string subvolume) => Receiving.Abort(subvolume);

    public IReadOnlyList<PartialReceiveInfo> ListPartialReceives() => Receiving.ListPartial();

    /// <summary>
    /// Brings a subvolume's newest snapshot to another pool, resuming an interrupted transfer first; a cancelled
    /// <paramref name="cancellation"/> stops it between two records, or before its next step.
    /// </summary>
    public ReplicateResult Replicate(string subvolume, string destination, ReplicateOptions options, IProgress<ReplicationProgress>? progress = null, CancellationToken cancellation = default) =>
        Replicator.Replicate(subvolume, destination, options, progress, cancellation);

    /// <summary>
    /// Records <paramref name="snapshot"/> (named <paramref name="name"/>) as the newest snapshot of the subvolume that
    /// <paramref name="target"/> (a pool path or ssh:// address) holds, at <see cref="Clock.Now"/>; takes the write lock.
    /// </summary>
    public void RecordReplicationBase(string subvolume, string target, Guid snapshot, string name) =>
        new ReplicationBaseRecords(_session).Record(subvolume, target, snapshot, name);

    /// <summary>The subvolume's recorded replication bases, one per target, by target.</summary>
    public IReadOnlyList<ReplicationBase> ReplicationBases(string subvolume) => new ReplicationBaseRecords(_session).List(subvolume);

    // Changed-block tracking.

    /// <summary>
    /// The ranges of a snapshot that hold written data, from <paramref name="startingOffset"/> on, read from its extent
    /// map as they are enumerated; holes and unwritten extents are left out. Takes no lock.
    /// </summary>
    public SnapshotBlocks AllocatedBlocks(SnapshotReference snapshot, long startingOffset) => new BlockTracking(_session).Allocated(snapshot, startingOffset);

    /// <summary>
    /// The ranges of <paramref name="target"/> that changed since <paramref name="baseline"/>, an earlier snapshot of the same
    /// subvolume, from <paramref name="startingOffset"/> on: exactly those whose physical extents differ, as send finds them.
    /// </summary>
    public SnapshotBlocks ChangedBlocks(SnapshotReference baseline, SnapshotReference target, long startingOffset) =>
        new BlockTracking(_session).Delta(baseline, target, startingOffset);

    /// <summary>Does what <paramref name="policy"/> asks of one subvolume now: the due snapshot, its targets, pruning.</summary>
    internal IReadOnlyList<AutomaticAction> RunPolicy(
        string subvolume, Policy policy, AutomaticRunOptions options, DateTimeOffset now, TargetConnections targets, TargetPruning targetPruning, Action<AutomaticAction>? report,
        CancellationToken cancellation = default) =>
        PolicyRunner.Run(subvolume, policy, options, now, targets, targetPruning, report, cancellation);

    /// <summary>Held for a whole automatic run, so that two runs never do the same work twice.</summary>
    public IDisposable AcquireAutomaticRunLock() => _session.AcquireAutomaticRunLock();

    /// <summary>A subvolume's snapshots as a policy reads them, oldest first, from the metadata alone without touching an image.</summary>
    internal IReadOnlyList<PolicySnapshot> RecordedSnapshots(string subvolume) =>
        _session.Database.ListSnapshots(subvolume).Select(record => new PolicySnapshot(record.Name, record.Guid, record.Created)).ToList();

    /// <summary>The names of the pool's subvolumes, from the metadata alone.</summary>
    public IReadOnlyList<string> SubvolumeNames() => _session.Database.ListSubvolumes().Select(record => record.Name).ToList();

    /// <summary>Unmounts everything of the pool, as exporting it needs.</summary>
    internal void UnmountEverything() => Exposure.UnmountEverything();

    // Tests plant inconsistencies through these.
    internal PoolDatabase Database => _session.Database;

    internal PoolLayout Layout => _session.Layout;

    /// <summary>Every image's figures read from the extent maps now, whatever the pool has stored.</summary>
    internal UsageReading ReadExtentMaps() => Accounting.ReadExtentMaps();
}
