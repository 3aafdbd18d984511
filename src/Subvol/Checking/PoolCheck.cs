using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Space;

namespace Subvol.Checking;

/// <summary>
/// The pool's check: what <see cref="ConsistencyCheck"/> finds between metadata, files and the kernel,
/// with what opening the pool already repaired, the space the host owes the pool, and the repairs in
/// the order that lets each one see the pool the others left.
/// </summary>
internal sealed class PoolCheck(PoolSession session, SpaceAdmission space)
{
    /// <summary>Finds disagreements between metadata, files and the kernel; with repair, fixes every one that has a safe fix.</summary>
    /// <param name="recoveredFreezes">Mount points that opening the pool thawed, which the report names as repaired.</param>
    /// <param name="finishRenames">Completes the renames that were interrupted, as the rename itself would have.</param>
    public CheckReport Run(bool repair, IReadOnlyList<string> recoveredFreezes, Action finishRenames)
    {
        // Holding the write lock means an operation in flight in another process is never mistaken for leftovers.
        using var writeLock = session.AcquireWriteLock();
        var check = new ConsistencyCheck(session.Layout, session.Database, session.Files);
        var findings = recoveredFreezes
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
            finishRenames();
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

    /// <summary>
    /// When the pool's database is missing or damaged, moves it aside and rebuilds it from the images'
    /// identities, and says what came back; null when the database is sound (or the path is no pool),
    /// so that opening the pool says what is wrong instead.
    /// </summary>
    public static CheckReport? RebuildDamagedMetadata(string path)
    {
        var layout = new PoolLayout(path);
        if (!Directory.Exists(layout.MetadataDirectory))
        {
            return null;
        }

        using var files = PoolFiles.Open(layout.Root);
        RepairReserve.ReleaseIfFull(files, layout.MetadataDirectory);
        using var writeLock = PoolSession.AcquireWriteLock(files, layout);
        return PoolDatabase.Damage(layout.Database) is { } damage
            ? new CheckReport(new MetadataRebuild(layout, files).Run(damage))
            : null;
    }

    /// <summary>A shortfall is not the pool's own inconsistency, but check is where a person looks for what is wrong.</summary>
    private Finding? ShortfallFinding()
    {
        if (space.ShortfallWarning(FileSystemStatistics.Get(session.Layout.Root)) is not { } shortfall)
        {
            return null;
        }

        return new Finding(FindingKind.Shortfall, session.Path, shortfall.Warning.Message, Repairable: false)
        {
            Bytes = shortfall.Bytes,
            Remedy = shortfall.Warning.Remedy,
        };
    }

    /// <summary>Waits, for a few seconds at most, until <paramref name="measure"/> reads the same twice, a fifth of a second apart.</summary>
    private static void WaitUntilSettled(Func<long> measure)
    {
        var previous = measure();
        for (var attempt = 0; attempt < 25; attempt++)
        {
            Thread.Sleep(200);
            var current = measure();
            if (current == previous)
            {
                return;
            }

            previous = current;
        }
    }

    /// <summary>
    /// An allocated pool image that has lost blocks: a trim of the pool's own mount (fstrim.timer
    /// trims every mount) makes its loop device punch holes in it. Repair allocates them again.
    /// </summary>
    private Finding? PoolImageFinding(bool repair)
    {
        if (session.Image is not { } image || session.ImageSparse != false || space.PoolImageHoles() is not (var missing and > 0))
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
            // A trim's discards can reach the image after fstrim returned; one that landed after the allocation would undo part of it.
            WaitUntilSettled(() => space.PoolImageHoles());
            FileSpace.Preallocate(image, 0, new FileInfo(image).Length);
            return finding with { Repaired = true };
        }
        catch (SystemCallException exception) when (exception.Errno == Errno.ENOSPC)
        {
            return finding with
            {
                Message = $"{ByteSize.Format(missing)} of the pool image {image} is no longer allocated on the host, and the host has no room to allocate it again ({exception.Message}); free space on the host and repair again",
                Repairable = false,
            };
        }
    }
}
