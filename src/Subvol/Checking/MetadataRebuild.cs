using System.Globalization;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Replication;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol.Checking;

/// <summary>
/// Rebuilds a missing or damaged pool database from what the files say: each image's name from its
/// path and everything else from its identity attribute, and the pool's settings from the attribute
/// of its .subvol directory. The damaged file is moved aside, never deleted; the new database is
/// built under another name and renamed into place whole. Images without a readable identity are
/// reported and left where they are.
/// </summary>
internal sealed class MetadataRebuild(PoolLayout layout, PoolFiles files)
{
    /// <summary>The start of the name a damaged database is kept under, beside pool.db.</summary>
    public const string DamagedPrefix = "pool.db.damaged-";

    private sealed record FoundImage(string Path, string Name, ImageIdentity Identity);

    public List<Finding> Run(string damage)
    {
        var findings = new List<Finding>();
        var subvolumeImages = FindSubvolumeImages(findings);
        var snapshotImages = FindSnapshotImages(findings);
        var settings = ReadSettings(findings);
        var baseCopies = ReadBaseCopies(findings);

        // Decide everything before touching the database, so that a failure below leaves the damaged file where it was.
        var subvolumes = new List<(string Name, ImageIdentity Identity, bool FromSnapshots)>();
        var guids = new HashSet<Guid>();
        foreach (var image in subvolumeImages.OrderBy(image => image.Identity.Created).ThenBy(image => image.Name, StringComparer.Ordinal))
        {
            if (image.Identity.Kind != ImageKind.Subvolume)
            {
                findings.Add(LeftInPlace(image.Path, "its identity says it is a snapshot, yet it lies among the subvolumes"));
            }
            else if (!guids.Add(image.Identity.Guid))
            {
                findings.Add(LeftInPlace(image.Path, $"its GUID {image.Identity.Guid} is also another image's"));
            }
            else
            {
                subvolumes.Add((image.Name, image.Identity, false));
            }
        }

        var snapshots = new List<(string Subvolume, string Name, ImageIdentity Identity)>();
        foreach (var group in snapshotImages.GroupBy(image => image.Subvolume, StringComparer.Ordinal))
        {
            var name = group.Key;
            var owner = subvolumes.FirstOrDefault(subvolume => subvolume.Name == name);
            if (RenamedOwner(group.Select(image => image.Image).ToList(), owner.Name is null ? null : owner.Identity.Guid, subvolumes.Select(subvolume => (subvolume.Name, subvolume.Identity.Guid)), snapshotImages) is { } renamed)
            {
                // The subvolume's image moved to its new name but its snapshots did not, as a rename interrupted together with the database leaves them: finish it.
                files.MoveIfPresent(layout.SnapshotDirectory(name), layout.SnapshotDirectory(renamed));
                findings.Add(new Finding(FindingKind.UnfinishedRename, renamed,
                    $"the snapshots of {Printable.Quote(renamed)} were still under its old name {Printable.Quote(name)}, as after an interrupted rename; they were moved", Repairable: true) { Repaired = true });
                name = renamed;
                owner = subvolumes.First(subvolume => subvolume.Name == name);
            }

            if (owner.Name is null && OwnerFromSnapshots(name, group.Select(image => image.Image).ToList(), guids) is { } recovered)
            {
                // The subvolume's image is gone but its snapshots remain: record it, so that a rollback can bring it back (the check that follows says so).
                owner = (name, recovered, true);
                subvolumes.Add(owner);
            }

            foreach (var image in group.Select(image => image.Image))
            {
                if (image.Identity.Kind != ImageKind.Snapshot)
                {
                    findings.Add(LeftInPlace(image.Path, "its identity says it is a subvolume, yet it lies among the snapshots"));
                }
                else if (owner.Name is null || image.Identity.Parent != owner.Identity.Guid)
                {
                    // A snapshot of a subvolume that is gone is what an interrupted delete leaves; the check that follows removes it.
                    if (subvolumes.FirstOrDefault(subvolume => subvolume.Identity.Guid == image.Identity.Parent).Name is { } parent)
                    {
                        findings.Add(LeftInPlace(image.Path, $"its identity says it belongs to subvolume {Printable.Quote(parent)}, not {Printable.Quote(name)} (as after an interrupted rename)"));
                    }
                }
                else if (!guids.Add(image.Identity.Guid))
                {
                    findings.Add(LeftInPlace(image.Path, $"its GUID {image.Identity.Guid} is also another image's"));
                }
                else
                {
                    snapshots.Add((name, image.Name, image.Identity));
                }
            }
        }

        var bases = new SortedDictionary<(string Subvolume, string Target), string>();
        var aside = MoveAside();
        var building = layout.Database + ".rebuilding";
        DeleteWithLogs(building);
        // Private from creation, as the pool makes its database: SQLite gives its log files the database's mode.
        files.CreateFile(building).Dispose();
        using (var database = PoolDatabase.Open(building, create: true))
        {
            using var transaction = database.BeginTransaction();
            foreach (var (key, value) in settings)
            {
                database.SetPoolValue(key, value);
            }

            var records = new Dictionary<string, SubvolumeRecord>(StringComparer.Ordinal);
            foreach (var (name, identity, _) in subvolumes.OrderBy(subvolume => subvolume.Identity.Created).ThenBy(subvolume => subvolume.Name, StringComparer.Ordinal))
            {
                records[name] = database.InsertSubvolume(name, identity.Guid, identity.Size, identity.FileSystem, identity.Parent, identity.Provisioning, identity.WriteStamp, identity.Creator, identity.Created, identity.WrappedKey);
            }

            // Ids order snapshots in time, which rollback relies on; creation times give that order back.
            foreach (var (subvolume, name, identity) in snapshots.OrderBy(snapshot => snapshot.Identity.Created).ThenBy(snapshot => snapshot.Name, StringComparer.Ordinal))
            {
                database.InsertSnapshot(records[subvolume], name, identity.Guid, identity.Size, identity.FileSystem, identity.Created, identity.Creator, wrappedKey: identity.WrappedKey);
            }

            // A base comes back only for a snapshot found here, under the subvolume it belonged to; the snapshot's name is the image's.
            foreach (var copy in baseCopies.OrderBy(copy => copy.RecordedAt))
            {
                var owner = subvolumes.FirstOrDefault(subvolume => subvolume.Identity.Guid == copy.Subvolume).Name;
                var snapshot = snapshots.FirstOrDefault(snapshot => snapshot.Subvolume == owner && snapshot.Identity.Guid == copy.Snapshot).Name;
                if (owner is not null && snapshot is not null)
                {
                    database.SetReplicationBase(records[owner].Id, copy.Target, copy.Snapshot, snapshot, copy.RecordedAt);
                    bases[(owner, copy.Target)] = snapshot;
                }
            }

            transaction.Commit();
        }

        // Closing the last connection folded the log into the file, so the file alone is the whole database.
        files.Replace(building, layout.Database);
        foreach (var (name, identity, fromSnapshots) in subvolumes.Where(subvolume => !subvolume.FromSnapshots))
        {
            findings.Add(Restored(name, $"subvolume {Printable.Quote(name)} ({identity.Guid}, {ByteSize.Format(identity.Size)}, {ProvisioningNames.Format(identity.Provisioning)})"));
        }

        foreach (var (subvolume, name, identity) in snapshots)
        {
            findings.Add(Restored($"{subvolume}@{name}", $"snapshot {Printable.Quote($"{subvolume}@{name}")} ({identity.Guid})"));
        }

        foreach (var ((subvolume, target), snapshot) in bases)
        {
            findings.Add(new Finding(FindingKind.ReplicationBaseRestored, subvolume,
                $"restored {Printable.Quote($"{subvolume}@{snapshot}")} as the replication base for {target} from {layout.ReplicationBaseCopy}", Repairable: true) { Repaired = true });
        }

        findings.Insert(0, new Finding(FindingKind.MetadataRebuilt, layout.Database,
            $"the pool's metadata {layout.Database} was damaged ({damage}); " +
            (aside is null ? "" : $"it is kept as {aside}, and ") +
            $"a new one was rebuilt from the images: {subvolumes.Count(subvolume => !subvolume.FromSnapshots)} subvolume(s), {snapshots.Count} snapshot(s)" +
            (settings.Count == 0 ? ", and the pool's settings at their defaults" : ", and the pool's settings"),
            Repairable: true) { Repaired = true });
        return findings;
    }

    private List<FoundImage> FindSubvolumeImages(List<Finding> findings)
    {
        var found = new List<FoundImage>();
        // Listed beneath the root: a link planted at subvolumes/ is refused, never listed through.
        foreach (var path in files.List(layout.SubvolumesDirectory).Order(StringComparer.Ordinal).Select(name => Path.Combine(layout.SubvolumesDirectory, name)))
        {
            if (Identify(findings, path) is { } image)
            {
                found.Add(image);
            }
        }

        return found;
    }

    private List<(string Subvolume, FoundImage Image)> FindSnapshotImages(List<Finding> findings)
    {
        var found = new List<(string, FoundImage)>();
        foreach (var subvolume in files.List(layout.SnapshotsDirectory).Order(StringComparer.Ordinal))
        {
            // A link in place of a snapshot directory is the check's to report; nothing is listed through it.
            var directory = Path.Combine(layout.SnapshotsDirectory, subvolume);
            if (NameRules.Problem(subvolume) is not null || files.Status(directory).Kind != Linux.EntryKind.Directory)
            {
                continue;
            }

            foreach (var path in files.List(directory).Order(StringComparer.Ordinal).Select(name => Path.Combine(directory, name)))
            {
                if (Identify(findings, path) is { } image)
                {
                    found.Add((subvolume, image));
                }
            }
        }

        return found;
    }

    /// <summary>The image at <paramref name="path"/> with its identity; null, and a finding when it looked like one, when it cannot be taken back.</summary>
    private FoundImage? Identify(List<Finding> findings, string path)
    {
        var file = Path.GetFileName(path);
        // Only files named as the pool names images; anything else is not the pool's and the next check lists it.
        if (!file.EndsWith(".img", StringComparison.Ordinal) || NameRules.Problem(file[..^4]) is not null || files.Status(path).Kind != Linux.EntryKind.File)
        {
            return null;
        }

        try
        {
            return ImageIdentity.Read(files, path) is { } identity
                ? new FoundImage(path, file[..^4], identity)
                : Skipped(findings, path, "it has no identity attribute");
        }
        catch (FormatException exception)
        {
            return Skipped(findings, path, $"its identity attribute cannot be read: {exception.Message}");
        }
    }

    private static FoundImage? Skipped(List<Finding> findings, string path, string why)
    {
        findings.Add(LeftInPlace(path, why));
        return null;
    }

    private static Finding LeftInPlace(string path, string why) =>
        new(FindingKind.IdentityMissing, path,
            $"{path} was left out of the rebuilt metadata and left in place: {why}; look at it (for example with 'mount -o ro,loop'), then move it away or remove it yourself", Repairable: false);

    private static Finding Restored(string subject, string what) =>
        new(FindingKind.ImageRestored, subject, $"restored {what} from its image", Repairable: true) { Repaired = true };

    /// <summary>
    /// The name a directory's snapshots belong under when all of them name, by parent GUID, another
    /// subvolume than the one the directory is named for, and that subvolume has no snapshot
    /// directory of its own; else null.
    /// </summary>
    private static string? RenamedOwner(
        IReadOnlyList<FoundImage> images, Guid? directoryOwner, IEnumerable<(string Name, Guid Guid)> subvolumes, List<(string Subvolume, FoundImage Image)> allSnapshots)
    {
        var parents = images.Select(image => image.Identity.Parent).Distinct().ToList();
        if (parents is not [{ } parent] || parent == directoryOwner || images.Any(image => image.Identity.Kind != ImageKind.Snapshot))
        {
            return null;
        }

        var renamed = subvolumes.FirstOrDefault(subvolume => subvolume.Guid == parent).Name;
        return renamed is not null && allSnapshots.All(snapshot => snapshot.Subvolume != renamed) ? renamed : null;
    }

    /// <summary>A subvolume whose image is lost, as its snapshots describe it; null when they disagree or its GUID is taken.</summary>
    private static ImageIdentity? OwnerFromSnapshots(string name, IReadOnlyList<FoundImage> snapshots, HashSet<Guid> guids)
    {
        var taken = snapshots.Where(image => image.Identity.Kind == ImageKind.Snapshot).OrderBy(image => image.Identity.Created).ToList();
        if (taken.Count == 0 || taken[0].Identity.Parent is not { } guid || taken.Any(image => image.Identity.Parent != guid) || !guids.Add(guid))
        {
            return null;
        }

        var newest = taken[^1].Identity;
        return new ImageIdentity(guid, ImageKind.Subvolume, null, taken[0].Identity.Created, newest.Provisioning, newest.Size, newest.FileSystem) { WrappedKey = newest.WrappedKey };
    }

    private IReadOnlyDictionary<string, string> ReadSettings(List<Finding> findings)
    {
        try
        {
            if (PoolSettings.Read(files, layout.MetadataDirectory) is { } settings)
            {
                return settings;
            }

            findings.Add(new Finding(FindingKind.IdentityMissing, layout.MetadataDirectory,
                $"{layout.MetadataDirectory} has no pool settings attribute, so the rebuilt pool has the default settings (overcommit 1)", Repairable: false)
            {
                Remedy = new Remedy.SetPoolSettings(layout.Root),
            });
        }
        catch (FormatException exception)
        {
            findings.Add(new Finding(FindingKind.IdentityMissing, layout.MetadataDirectory,
                $"the pool settings attribute of {layout.MetadataDirectory} cannot be read ({exception.Message}), so the rebuilt pool has the default settings", Repairable: false)
            {
                Remedy = new Remedy.SetPoolSettings(layout.Root),
            });
        }

        return new Dictionary<string, string>();
    }

    /// <summary>The copy of the replication bases; a copy that cannot be read is reported, and the rebuilt pool then has none.</summary>
    private IReadOnlyList<ReplicationBaseCopy.Entry> ReadBaseCopies(List<Finding> findings)
    {
        try
        {
            return ReplicationBaseCopy.Read(files, layout);
        }
        catch (Exception exception) when (exception is IOException or SystemCallException or SubvolException)
        {
            findings.Add(new Finding(FindingKind.IdentityMissing, layout.ReplicationBaseCopy,
                $"the copy of the replication bases {layout.ReplicationBaseCopy} cannot be read ({exception.Message}), so the rebuilt pool has none; each next replicate records its own again", Repairable: false));
            return [];
        }
    }

    /// <summary>Renames the damaged database, with its log and shared memory, to pool.db.damaged-TIMESTAMP; null when there was none.</summary>
    private string? MoveAside()
    {
        var stamp = Clock.Now.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        var aside = Path.Combine(layout.MetadataDirectory, DamagedPrefix + stamp);
        for (var attempt = 2; files.Exists(aside); attempt++)
        {
            aside = Path.Combine(layout.MetadataDirectory, $"{DamagedPrefix}{stamp}-{attempt}");
        }

        // A log left beside a new database of the same name would be replayed into it, so the log goes with the file it belongs to.
        foreach (var suffix in new[] { "-wal", "-shm" })
        {
            if (files.Exists(layout.Database + suffix))
            {
                files.Replace(layout.Database + suffix, aside + suffix);
            }
        }

        if (!files.Exists(layout.Database))
        {
            return null;
        }

        files.Replace(layout.Database, aside);
        return aside;
    }

    private void DeleteWithLogs(string database)
    {
        files.Delete(database);
        files.Delete(database + "-wal");
        files.Delete(database + "-shm");
    }
}
