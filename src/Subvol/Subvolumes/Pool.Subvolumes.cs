using Subvol.Errors;
using Subvol.Metadata;
using Subvol.Pools;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    private SubvolumeLifecycle Lifecycle => new(_session, _space);

    private SubvolumeResizer Resizer => new(_session, _space);

    private Exposure Exposure => new(_session);

    private BlockDevices BlockDevices => new(_session);

    public IReadOnlyList<SubvolumeInfo> ListSubvolumes() => Lifecycle.List(ExclusiveBytes());

    public SubvolumeInfo GetSubvolume(string name) => Lifecycle.Get(name);

    public SubvolumeInfo? FindSubvolume(string name) => Lifecycle.Find(name);

    /// <summary>Makes a sparse image of the given size, formats it, and publishes it as a subvolume.</summary>
    /// <param name="creator">Recorded as the subvolume's creator, so that a program such as the CSI driver can tell its own; null from the command line.</param>
    public OperationResult<SubvolumeInfo> CreateSubvolume(string name, long size, string fileSystem, Provisioning provisioning = Provisioning.Guaranteed, string? creator = null) =>
        Lifecycle.Create(name, size, fileSystem, provisioning, creator);

    /// <summary>Deletes a subvolume; its snapshots go too only when asked, and never while anything is mounted.</summary>
    public Outcome DeleteSubvolume(string name, bool recursive) => Lifecycle.Delete(name, recursive);

    public void RenameSubvolume(string oldName, string newName) => Lifecycle.Rename(oldName, newName);

    /// <summary>Grows online (or offline); shrinks only an unmounted ext4, because XFS cannot shrink.</summary>
    public OperationResult<SubvolumeInfo> ResizeSubvolume(string name, long newSize) => Resizer.Resize(name, newSize, growOnly: false);

    /// <summary>
    /// Grows a subvolume to at least <paramref name="newSize"/> and never shrinks it: online when it
    /// is mounted, offline when it is not, and, when it is attached as a block device, the image and
    /// the device only (the filesystem on a raw block device belongs to its user).
    /// </summary>
    public OperationResult<SubvolumeInfo> Grow(string name, long newSize) => Resizer.Resize(name, newSize, growOnly: true);

    /// <summary>Mounts a subvolume read-write, or a snapshot read-only, at the given directory or the pool's default.</summary>
    public OperationResult<string> Mount(string target, string? at) => Exposure.Mount(target, at);

    /// <summary>Unmounts a subvolume or snapshot wherever it is mounted.</summary>
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

    // The names other areas' partials still call; each goes when its callers reach the collaborator itself.
    private SubvolumeInfo Describe(SubvolumeRecord record, int snapshots) => Lifecycle.Describe(record, snapshots);

    private void FinishRenames() => Lifecycle.FinishRenames();

    private void DeleteDirectoryIfEmpty(string directory) => _files.DeleteDirectoryIfEmpty(directory);

    private long AllocatedBytes(string image) => ImageSpace.Allocated(_files, image);

    private static void RefuseIfAttached(string image, string name) => ImageMounts.RefuseIfAttached(image, name);

    /// <summary>The callers still spell the command ("subvol umount NAME"); what it names becomes the remedy's target.</summary>
    private void RefuseIfMounted(string image, string what, string remedy) =>
        ImageMounts.RefuseIfMounted(image, what, new Remedy.Unmount(Path, remedy.Replace("subvol umount ", "", StringComparison.Ordinal)));
}
