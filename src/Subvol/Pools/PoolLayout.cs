
namespace Subvol.Pools;

/// <summary>Where a pool keeps each thing on disk; the one place that knows the directory layout.</summary>
internal sealed class PoolLayout(string root)
{
    public string Root { get; } = Path.TrimEndingDirectorySeparator(Path.GetFullPath(root));

    public string MetadataDirectory => Path.Combine(Root, ".subvol");

    public string Database => Path.Combine(MetadataDirectory, "pool.db");

    /// <summary>The pool whose database this is: the directory above .subvol.</summary>
    public static string RootOfDatabase(string database) => Path.GetDirectoryName(Path.GetDirectoryName(database)) ?? database;

    public string LockFile => Path.Combine(MetadataDirectory, "lock");

    /// <summary>Held by 'subvol auto' for its whole run, so a second run waits and then finds the work done.</summary>
    public string AutomaticRunLockFile => Path.Combine(MetadataDirectory, "auto.lock");

    public string FreezeDirectory => Path.Combine(MetadataDirectory, "freezes");

    /// <summary>A copy of the database's replication bases, which no image can carry, for a rebuild of a lost database.</summary>
    public string ReplicationBaseCopy => Path.Combine(MetadataDirectory, "replication-bases");

    public string SubvolumesDirectory => Path.Combine(Root, "subvolumes");

    public string SnapshotsDirectory => Path.Combine(Root, "snapshots");

    public string IncomingDirectory => Path.Combine(Root, "incoming");

    public string MountsDirectory => Path.Combine(Root, "mounts");

    private const string ImageSuffix = ".img";

    /// <summary>The file name of the image of a subvolume, in subvolumes/, or of a snapshot, in its subvolume's snapshot directory.</summary>
    public static string ImageFileName(string name) => name + ImageSuffix;

    public string SubvolumeImage(string name) => Path.Combine(SubvolumesDirectory, ImageFileName(name));

    public string SnapshotDirectory(string subvolume) => Path.Combine(SnapshotsDirectory, subvolume);

    /// <summary>Path.Combine's result in one string, since names never hold '/' (NameRules): a listing asks for every snapshot's image.</summary>
    public string SnapshotImage(string subvolume, string snapshot) => string.Concat(SnapshotsDirectory, "/", subvolume, "/", snapshot, ImageSuffix);

    /// <summary>The subvolume and snapshot whose image <see cref="SnapshotImage"/> names <paramref name="path"/>, or null for any other path.</summary>
    public (string Subvolume, string Snapshot)? SnapshotOfImage(string path)
    {
        var snapshots = SnapshotsDirectory + "/";
        // No name holds '/', so no other file reads as a snapshot's image.
        return path.StartsWith(snapshots, StringComparison.Ordinal) && path.EndsWith(ImageSuffix, StringComparison.Ordinal)
            && path[snapshots.Length..^ImageSuffix.Length].Split('/') is [var subvolume, var snapshot]
            ? (subvolume, snapshot)
            : null;
    }

    public string DefaultMountPoint(string name) => Path.Combine(MountsDirectory, name);

    /// <summary>
    /// Whether <paramref name="resolvedPath"/>, spelled as the kernel names it, is part of the pool's own layout, where
    /// nothing may be mounted: the root and everything beneath it but what lies beneath mounts/.
    /// </summary>
    public bool IsLayoutPath(string resolvedPath) =>
        (resolvedPath == Root || resolvedPath.StartsWith(Root + "/", StringComparison.Ordinal))
        && !resolvedPath.StartsWith(MountsDirectory + "/", StringComparison.Ordinal);

    /// <summary>What the name of every staging mount point under .subvol begins with.</summary>
    public const string StagingMountPrefix = "mounting-";

    /// <summary>Where an encrypted image's filesystem is mounted whole for a moment, private to root, while its encrypted directory is bound elsewhere.</summary>
    public string StagingMountPoint(Guid guid) => Path.Combine(MetadataDirectory, StagingMountPrefix + guid.ToString("N"));

    /// <summary>An image under construction: invisible as a subvolume or snapshot until renamed into place.</summary>
    public string PartialImage(Guid guid) => Path.Combine(IncomingDirectory, guid.ToString("N") + ".partial");

    /// <summary>The directories every pool has, parents first.</summary>
    public IReadOnlyList<string> Directories => [MetadataDirectory, FreezeDirectory, SubvolumesDirectory, SnapshotsDirectory, IncomingDirectory, MountsDirectory];

    public void CreateDirectories(PoolFiles files)
    {
        foreach (var directory in Directories)
        {
            files.CreateDirectory(directory);
        }
    }
}
