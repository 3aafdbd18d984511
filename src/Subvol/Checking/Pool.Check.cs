using Subvol.Checking;
using Subvol.Errors;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Space;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>Finds disagreements between metadata, files and the kernel; with repair, fixes every one that has a safe fix.</summary>
    public CheckReport Check(bool repair)
    {
        // Holding the write lock means an operation in flight in another process is never mistaken for leftovers.
        using var writeLock = AcquireWriteLock();
        var check = new ConsistencyCheck(_layout, _database, _files);
        var findings = RecoveredFreezes
            .Select(mountPoint => new Finding(FindingKind.AbandonedFreeze, mountPoint,
                $"{mountPoint} had been left frozen by a process that died; it was thawed", Repairable: true) { Repaired = true })
            .ToList();
        if (ShortfallFinding() is { } shortfall)
        {
            findings.Add(shortfall);
        }

        if (PoolImageFinding(repair) is { } poolImage)
        {
            findings.Add(poolImage);
        }

        var found = check.Scan();
        if (!repair)
        {
            return new CheckReport([.. findings, .. found]);
        }

        // Renames first: until they finish, the files of the names involved are not where the metadata says.
        if (found.Any(finding => finding.Kind == FindingKind.UnfinishedRename))
        {
            FinishRenames();
            findings.AddRange(found.Where(finding => finding.Kind == FindingKind.UnfinishedRename).Select(finding => finding with { Repaired = true }));
            found = check.Scan();
        }

        // A repair can expose another leftover (an orphan image removed leaves its directory empty), so scan again.
        // A repair that fails is reported with its reason and not tried again; the others still run.
        var failed = new HashSet<(FindingKind, string)>();
        bool Retry(Finding finding) => finding.Repair is not null && !failed.Contains((finding.Kind, finding.Subject));
        for (var pass = 0; pass < 3 && found.Any(Retry); pass++)
        {
            foreach (var finding in found.Where(Retry).ToList())
            {
                try
                {
                    finding.Repair!();
                    findings.Add(finding with { Repaired = true });
                }
                catch (Exception exception)
                {
                    failed.Add((finding.Kind, finding.Subject));
                    var error = ErrorTranslation.Translate(exception, finding.Subject);
                    findings.Add(finding with { Repairable = false, Message = $"{finding.Message}; the repair failed: {error.Message}" });
                }
            }

            found = check.Scan();
        }

        findings.AddRange(found.Where(finding => !failed.Contains((finding.Kind, finding.Subject))));
        return new CheckReport(findings);
    }

    /// <summary>A shortfall is not the pool's own inconsistency, but check is where a person looks for what is wrong.</summary>
    private Finding? ShortfallFinding()
    {
        var usage = Linux.FileSystemStatistics.Get(_layout.Root);
        var shortfall = Shortfall(usage);
        var free = UsableFreeBytes(usage);
        return shortfall <= 0 ? null : new Finding(FindingKind.Shortfall, Path,
            $"pool {Path} has a shortfall of {ByteSize.Format(shortfall)}: the host has {ByteSize.Format(free)} free where its guaranteed subvolumes may still need " +
            $"{ByteSize.Format(free + shortfall)}; free space on the host (old snapshots, thin subvolumes' data, other files), and run 'subvol guard' meanwhile", Repairable: false)
        {
            Bytes = shortfall,
        };
    }

    /// <summary>
    /// An allocated pool image that has lost blocks: a trim of the pool's own mount (fstrim.timer
    /// trims every mount) makes its loop device punch holes in it. Repair allocates them again.
    /// </summary>
    private Finding? PoolImageFinding(bool repair)
    {
        if (Image is not { } image || ImageSparse != false || !File.Exists(image))
        {
            return null;
        }

        var length = new FileInfo(image).Length;
        var missing = length - Linux.FileSpace.AllocatedBytes(image);
        if (missing <= 0)
        {
            return null;
        }

        var finding = new Finding(FindingKind.PoolImageNotAllocated, image,
            $"{ByteSize.Format(missing)} of the pool image {image} is no longer allocated on the host (a trim of the pool gives its free blocks back), " +
            "so the guaranteed subvolumes inside depend on the host's free space; repair allocates it again", Repairable: true)
        {
            Bytes = missing,
        };
        if (!repair)
        {
            return finding;
        }

        try
        {
            Linux.FileSpace.Preallocate(image, 0, length);
            return finding with { Repaired = true };
        }
        catch (Linux.SystemCallException exception) when (exception.Errno == Linux.Errno.ENOSPC)
        {
            return finding with
            {
                Message = $"{ByteSize.Format(missing)} of the pool image {image} is no longer allocated on the host, and the host has no room to allocate it again ({exception.Message}); free space on the host and repair again",
                Repairable = false,
            };
        }
    }

    /// <summary>
    /// When the pool's database is missing or damaged, moves it aside and rebuilds it from the images'
    /// identities, and says what came back; null when the database is sound (or the path is no pool),
    /// so that opening the pool says what is wrong instead.
    /// </summary>
    public static CheckReport? RebuildDamagedMetadata(string path)
    {
        var layout = new Pools.PoolLayout(path);
        if (!Directory.Exists(layout.MetadataDirectory))
        {
            return null;
        }

        using var files = Pools.PoolFiles.Open(layout.Root);
        Space.RepairReserve.ReleaseIfFull(files, layout.MetadataDirectory);
        using var writeLock = AcquireWriteLock(files, layout);
        return Metadata.PoolDatabase.Damage(layout.Database) is { } damage
            ? new CheckReport(new MetadataRebuild(layout, files).Run(damage))
            : null;
    }

    internal Metadata.PoolDatabase Database => _database;

    internal Pools.PoolLayout Layout => _layout;
}
