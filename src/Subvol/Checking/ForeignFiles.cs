using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Replication;

namespace Subvol.Checking;

/// <summary>
/// Finds what Subvol did not write under the pool's directory: files at its top level, beside the
/// snapshot directories, in the metadata and incoming directories under names Subvol never uses,
/// and inside mount points that nothing is mounted on. They take host space the ledger cannot
/// see, so each is reported with the bytes it holds; they are not the pool's to delete.
/// Subvolume and snapshot directories are left to the image checks, and links are never followed.
/// </summary>
internal static class ForeignFiles
{
    private static readonly HashSet<string> TopLevel = new(StringComparer.Ordinal) { ".subvol", "subvolumes", "snapshots", "incoming", "mounts" };

    private static readonly HashSet<string> MetadataFiles = new(StringComparer.Ordinal)
    {
        "pool.db", "pool.db-wal", "pool.db-shm", "pool.db-journal", "lock", "auto.lock", "reserve", "freezes", "guard",
        "replication-bases", "replication-bases" + PoolFiles.StateTemporarySuffix,
    };

    public static IEnumerable<Finding> Find(PoolLayout layout)
    {
        var mountPoints = Mounts.Read().Select(mount => mount.Target).ToHashSet(StringComparer.Ordinal);
        var entries = Entries(layout.Root).Where(entry => !TopLevel.Contains(entry.Name))
            .Concat(Entries(layout.MetadataDirectory).Where(entry => !IsMetadata(entry)))
            .Concat(Entries(layout.SnapshotsDirectory).Where(entry => entry is not DirectoryInfo || entry.LinkTarget is not null))
            .Concat(Entries(layout.IncomingDirectory).Where(entry => !IsIncoming(entry)))
            .Concat(Entries(layout.MountsDirectory).Where(entry => entry is not DirectoryInfo || entry.LinkTarget is not null))
            .Concat(Entries(layout.MountsDirectory).OfType<DirectoryInfo>()
                .Where(directory => directory.LinkTarget is null && !mountPoints.Contains(directory.FullName))
                .SelectMany(directory => Entries(directory.FullName)));
        // A link inside the layout's directories is the link check's finding already; only the top level is left to this one.
        foreach (var entry in entries.Where(entry => entry.LinkTarget is null || Path.GetDirectoryName(entry.FullName) == layout.Root))
        {
            var bytes = AllocatedBytes(entry, mountPoints);
            var what = entry.LinkTarget is not null ? "a symbolic link" : entry is DirectoryInfo ? "a directory" : "a file";
            yield return new Finding(FindingKind.ForeignFile, entry.FullName,
                $"{entry.FullName} is {what} Subvol did not write, holding {ByteSize.Format(bytes)} of the host; left alone, as it is not the pool's to delete", Repairable: false)
            {
                Bytes = bytes,
            };
        }
    }

    /// <summary>
    /// Whether the entry is Subvol's by its place: under .subvol/ and incoming/ only the names Subvol
    /// writes there are its own, and everything below another name is someone else's.
    /// </summary>
    internal static bool IsPoolsOwn(PoolLayout layout, string path)
    {
        foreach (var directory in new[] { layout.MetadataDirectory, layout.IncomingDirectory })
        {
            if (path.StartsWith(directory + "/", StringComparison.Ordinal))
            {
                var name = path[(directory.Length + 1)..].Split('/')[0];
                return directory == layout.MetadataDirectory ? IsMetadataName(name) : IsIncomingName(name);
            }
        }

        return true;
    }

    /// <summary>The pool's own state, and a damaged database that a rebuild kept aside for the administrator to look at.</summary>
    private static bool IsMetadata(FileSystemInfo entry) =>
        (IsMetadataName(entry.Name) && (MetadataFiles.Contains(entry.Name) || (entry is FileInfo && entry.LinkTarget is null)))
        || IsStagingMountPoint(entry);

    /// <summary>A staging mount point is the pool's, reported by the leftover check when one outlives its operation.</summary>
    private static bool IsStagingMountPoint(FileSystemInfo entry) =>
        entry is DirectoryInfo && entry.LinkTarget is null && entry.Name.StartsWith(PoolLayout.StagingMountPrefix, StringComparison.Ordinal);

    private static bool IsMetadataName(string name) =>
        MetadataFiles.Contains(name) || name.StartsWith(MetadataRebuild.DamagedPrefix, StringComparison.Ordinal);

    private static bool IsIncoming(FileSystemInfo entry) => entry is FileInfo && entry.LinkTarget is null && IsIncomingName(entry.Name);

    private static bool IsIncomingName(string name) =>
        name.EndsWith(".partial", StringComparison.Ordinal)
        || name.EndsWith(Replication.PartialReceive.ImageSuffix, StringComparison.Ordinal)
        || name.EndsWith(Replication.PartialReceive.StateSuffix, StringComparison.Ordinal)
        || name.EndsWith(Replication.PartialReceive.StateSuffix + PoolFiles.StateTemporarySuffix, StringComparison.Ordinal);

    /// <summary>A directory's entries; none when it is a link, which is never listed through.</summary>
    private static IEnumerable<FileSystemInfo> Entries(string directory) =>
        new DirectoryInfo(directory) is { Exists: true, LinkTarget: null } info ? info.EnumerateFileSystemInfos() : [];

    /// <summary>Bytes allocated on the host, summed through directories; links and other mounts hold none of the pool's.</summary>
    private static long AllocatedBytes(FileSystemInfo entry, HashSet<string> mountPoints)
    {
        try
        {
            if (entry.LinkTarget is not null || mountPoints.Contains(entry.FullName))
            {
                return 0;
            }

            return entry is DirectoryInfo directory
                ? directory.EnumerateFileSystemInfos().Sum(child => AllocatedBytes(child, mountPoints))
                : FileSpace.AllocatedBytes(entry.FullName);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Gone or unreadable since it was listed: it holds nothing the check can count.
            return 0;
        }
    }
}
