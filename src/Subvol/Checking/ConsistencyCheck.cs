using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Replication;
using Subvol.Subvolumes;

namespace Subvol.Checking;

/// <summary>
/// Compares the metadata with the files and the kernel. Because every operation publishes files
/// before rows and removes rows before files, the only differences a crash can leave are the ones
/// listed here, each with a repair that moves the pool forward to a consistent state.
/// </summary>
internal sealed class ConsistencyCheck(PoolLayout layout, PoolDatabase database, PoolFiles files)
{
    public List<Finding> Scan()
    {
        var findings = new List<Finding>();
        var pending = database.ListPendingRenames();
        var renaming = pending.SelectMany(rename => new[] { rename.OldName, rename.NewName }).ToHashSet(StringComparer.Ordinal);
        foreach (var rename in pending)
        {
            findings.Add(new Finding(FindingKind.UnfinishedRename, rename.NewName,
                $"the rename of {Printable.Quote(rename.OldName)} to {Printable.Quote(rename.NewName)} was interrupted", Repairable: true));
        }

        var subvolumes = database.ListSubvolumes();
        var snapshots = database.ListSnapshots();
        CheckLayout(findings);

        // Below a link the layout check reported, nothing is looked at: it would have to be followed.
        BesideLinks(() => CheckSubvolumes(findings, subvolumes, snapshots, renaming));
        BesideLinks(() => CheckSnapshots(findings, snapshots, renaming));
        BesideLinks(() => new IdentityCheck(layout, database, files).Scan(findings, subvolumes, snapshots, renaming));

        // After the identity check, so that its rewrite from the recorded size is repaired first and this one's, from the image, lands last.
        BesideLinks(() => CheckSnapshotSizes(findings, subvolumes, snapshots, renaming));
        BesideLinks(() => FindOrphanSubvolumeImages(findings, subvolumes, renaming));
        BesideLinks(() => FindOrphanSnapshotImages(findings, subvolumes, snapshots, renaming));
        BesideLinks(() => FindPartialImages(findings));
        BesideLinks(() => FindLeftoverStagingMounts(findings));
        FindLeakedLoopDevices(findings);
        findings.AddRange(ForeignFiles.Find(layout));
        return findings;
    }

    /// <summary>
    /// Walks the layout without following anything: a symbolic link anywhere is reported for a person to remove
    /// (repair never follows or deletes it), and a directory or file with more than its private mode is made private.
    /// </summary>
    private void CheckLayout(List<Finding> findings)
    {
        CheckEntry(findings, layout.Root, files.Status(layout.Root), walk: false);
        foreach (var directory in layout.Directories)
        {
            var status = files.Status(directory);
            if (CheckEntry(findings, directory, status, walk: false) && status.Kind == EntryKind.Directory)
            {
                foreach (var name in files.List(directory))
                {
                    var path = Path.Combine(directory, name);
                    if (layout.Directories.Contains(path))
                    {
                        continue;
                    }

                    // What is mounted on mounts/NAME is the subvolume's own root, whose mode is its owner's business; a
                    // staging mount point may hold a whole filesystem, which the leftover check judges without walking it.
                    var inMounts = directory == layout.MountsDirectory;
                    var staging = directory == layout.MetadataDirectory && name.StartsWith(PoolLayout.StagingMountPrefix, StringComparison.Ordinal);
                    var entry = files.Status(path);
                    if (!inMounts && !staging)
                    {
                        CheckEntry(findings, path, entry, walk: true);
                    }
                    else if (entry.Kind == EntryKind.SymbolicLink)
                    {
                        CheckEntry(findings, path, entry, walk: false);
                    }
                }
            }
        }
    }

    /// <summary>Reports a link or a wrong mode; false when the entry is a link, so nothing below it is looked at.</summary>
    private bool CheckEntry(List<Finding> findings, string path, EntryStatus status, bool walk)
    {
        if (status.Kind == EntryKind.SymbolicLink)
        {
            findings.Add(new Finding(FindingKind.SymbolicLink, path,
                $"{path} is a symbolic link, which the pool never makes; Subvol does not follow it and repair leaves it: remove the link by hand (only the link, not what it points to)", Repairable: false));
            return false;
        }

        var wanted = !MadeByThePool(path, status.Kind) ? null : status.Kind switch
        {
            EntryKind.Directory => files.ModeOfDirectory(path),
            EntryKind.File => PoolFiles.PrivateFileMode,
            _ => (int?)null,
        };
        if (wanted is { } mode && status.Mode != mode)
        {
            findings.Add(new Finding(FindingKind.WrongMode, path,
                $"{path} has mode {Convert.ToString(status.Mode, 8).PadLeft(4, '0')}, which lets others in; repair sets {Convert.ToString(mode, 8).PadLeft(4, '0')}", Repairable: true)
            {
                Repair = () => files.SetMode(path, mode),
            });
        }

        if (walk && status.Kind == EntryKind.Directory)
        {
            foreach (var name in files.List(path))
            {
                var child = Path.Combine(path, name);
                CheckEntry(findings, child, files.Status(child), walk: true);
            }
        }

        return true;
    }

    /// <summary>
    /// Whether the pool made this entry, so its mode is the pool's to set. Anything else among the images is a
    /// person's file, reported as unknown and left alone; the private directory around it keeps it from others.
    /// </summary>
    private bool MadeByThePool(string path, EntryKind kind)
    {
        // What check counts as someone else's file keeps its mode, as it keeps everything else.
        if (!ForeignFiles.IsPoolsOwn(layout, path))
        {
            return false;
        }

        var parent = Path.GetDirectoryName(path);
        var amongImages = parent == layout.SubvolumesDirectory || Path.GetDirectoryName(parent) == layout.SnapshotsDirectory;
        return !amongImages
            || (kind == EntryKind.File && path.EndsWith(".img", StringComparison.Ordinal))
            || (kind == EntryKind.Directory && parent == layout.SnapshotsDirectory);
    }

    private static void BesideLinks(Action scan)
    {
        try
        {
            scan();
        }
        catch (SubvolException exception) when (exception.InnerException is ConfinementException)
        {
        }
    }

    private void CheckSubvolumes(List<Finding> findings, IReadOnlyList<SubvolumeRecord> subvolumes, IReadOnlyList<SnapshotRecord> snapshots, HashSet<string> renaming)
    {
        foreach (var subvolume in subvolumes.Where(subvolume => !renaming.Contains(subvolume.Name)))
        {
            var image = layout.SubvolumeImage(subvolume.Name);
            var status = files.Status(image);
            if (status.Kind is EntryKind.SymbolicLink or EntryKind.Other or EntryKind.Directory)
            {
                continue;
            }

            if (status.Kind == EntryKind.Missing && DeletedImage.Holder(files, image) is { } device)
            {
                // Its data is still in the loop device: forgetting it, or rolling it back, would lose what is there.
                var (message, remedy) = DeletedImage.Describe($"subvolume {Printable.Quote(subvolume.Name)}", image, device);
                findings.Add(new Finding(FindingKind.MissingImage, subvolume.Name, message, Repairable: false) { Remedy = remedy });
                continue;
            }

            if (status.Kind == EntryKind.Missing)
            {
                var hasSnapshots = snapshots.Any(snapshot => snapshot.SubvolumeId == subvolume.Id);
                findings.Add(hasSnapshots
                    ? new Finding(FindingKind.MissingImage, subvolume.Name,
                        $"the image of subvolume {Printable.Quote(subvolume.Name)} is missing", Repairable: false)
                    {
                        Remedy = new Remedy.Rollback(layout.Root, subvolume.Name),
                    }
                    : new Finding(FindingKind.MissingImage, subvolume.Name,
                        $"the image of subvolume {Printable.Quote(subvolume.Name)} is missing and it has no snapshots; repair forgets it", Repairable: true)
                    {
                        Repair = () => database.DeleteSubvolume(subvolume.Id),
                    });
                continue;
            }

            var size = status.Size;
            if (size != subvolume.Size)
            {
                findings.Add(new Finding(FindingKind.SizeMismatch, subvolume.Name,
                    $"subvolume {Printable.Quote(subvolume.Name)} is recorded as {subvolume.Size} bytes but its image has {size}; repair records the image's size", Repairable: true)
                {
                    Repair = () =>
                    {
                        database.UpdateSubvolumeSize(subvolume.Id, size);
                        ImageIdentity.Write(files, image, ImageIdentity.Of(subvolume with { Size = size }));
                    },
                });
            }
        }
    }

    private void CheckSnapshots(List<Finding> findings, IReadOnlyList<SnapshotRecord> snapshots, HashSet<string> renaming)
    {
        foreach (var snapshot in snapshots.Where(snapshot => !renaming.Contains(snapshot.SubvolumeName)))
        {
            var name = $"{snapshot.SubvolumeName}@{snapshot.Name}";
            var image = layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name);
            var status = files.Status(image);
            if (status.Kind is EntryKind.SymbolicLink or EntryKind.Other or EntryKind.Directory)
            {
                continue;
            }

            if (status.Kind == EntryKind.Missing)
            {
                findings.Add(new Finding(FindingKind.MissingImage, name, $"the image of snapshot {Printable.Quote(name)} is missing; repair forgets the snapshot", Repairable: true)
                {
                    Repair = () => database.DeleteSnapshot(snapshot.Id),
                });
            }
            else if (files.GetImmutable(image) == false)
            {
                findings.Add(new Finding(FindingKind.NotImmutable, name, $"snapshot {Printable.Quote(name)} is not marked immutable; repair marks it", Repairable: true)
                {
                    Repair = () => files.SetImmutable(image, true),
                });
            }
        }
    }

    /// <summary>
    /// A snapshot never changes, so its image's length is its size: a recorded size that differs (earlier versions
    /// recorded a received stream's header size even when a size change in the stream grew the image) is corrected
    /// from the image, or a later send would leave out the data past it.
    /// </summary>
    private void CheckSnapshotSizes(List<Finding> findings, IReadOnlyList<SubvolumeRecord> subvolumes, IReadOnlyList<SnapshotRecord> snapshots, HashSet<string> renaming)
    {
        var owners = subvolumes.ToDictionary(subvolume => subvolume.Id);
        foreach (var snapshot in snapshots.Where(snapshot => !renaming.Contains(snapshot.SubvolumeName)))
        {
            var image = layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name);
            var status = files.Status(image);
            if (status.Kind != EntryKind.File || status.Size == snapshot.Size)
            {
                continue;
            }

            var name = $"{snapshot.SubvolumeName}@{snapshot.Name}";
            var size = status.Size;
            findings.Add(new Finding(FindingKind.SizeMismatch, name,
                $"snapshot {Printable.Quote(name)} is recorded as {snapshot.Size} bytes but its image has {size}; repair records the image's size", Repairable: true)
            {
                Repair = () =>
                {
                    database.UpdateSnapshotSize(snapshot.Id, size);
                    ImageIdentity.Write(files, image, ImageIdentity.Of(snapshot with { Size = size }, owners[snapshot.SubvolumeId]));
                },
            });
        }
    }

    private void FindOrphanSubvolumeImages(List<Finding> findings, IReadOnlyList<SubvolumeRecord> subvolumes, HashSet<string> renaming)
    {
        if (files.Status(layout.SubvolumesDirectory).Kind != EntryKind.Directory)
        {
            return;
        }

        var known = subvolumes.Select(subvolume => subvolume.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var file in files.List(layout.SubvolumesDirectory))
        {
            var path = Path.Combine(layout.SubvolumesDirectory, file);
            var kind = files.Status(path).Kind;
            if (kind == EntryKind.SymbolicLink)
            {
                continue;
            }

            if (!file.EndsWith(".img", StringComparison.Ordinal) || kind != EntryKind.File)
            {
                findings.Add(new Finding(FindingKind.UnknownFile, path, $"{path} is not something the pool made; left alone", Repairable: false));
                continue;
            }

            var name = file[..^4];
            if (!known.Contains(name) && !renaming.Contains(name))
            {
                findings.Add(OrphanImage(path, $"{path} is an image no subvolume owns (left by an interrupted create, clone or delete); repair removes it"));
            }
        }
    }

    private void FindOrphanSnapshotImages(List<Finding> findings, IReadOnlyList<SubvolumeRecord> subvolumes, IReadOnlyList<SnapshotRecord> snapshots, HashSet<string> renaming)
    {
        if (files.Status(layout.SnapshotsDirectory).Kind != EntryKind.Directory)
        {
            return;
        }

        var known = snapshots.Select(snapshot => (snapshot.SubvolumeName, snapshot.Name)).ToHashSet();
        foreach (var subvolume in files.List(layout.SnapshotsDirectory))
        {
            var directory = Path.Combine(layout.SnapshotsDirectory, subvolume);
            if (renaming.Contains(subvolume) || files.Status(directory).Kind != EntryKind.Directory)
            {
                continue;
            }

            var entries = files.List(directory);
            foreach (var file in entries)
            {
                var path = Path.Combine(directory, file);
                var kind = files.Status(path).Kind;
                if (kind == EntryKind.SymbolicLink)
                {
                    continue;
                }

                if (!file.EndsWith(".img", StringComparison.Ordinal) || kind != EntryKind.File)
                {
                    findings.Add(new Finding(FindingKind.UnknownFile, path, $"{path} is not something the pool made; left alone", Repairable: false));
                    continue;
                }

                if (!known.Contains((subvolume, file[..^4])))
                {
                    findings.Add(OrphanImage(path, $"{path} is a snapshot image the metadata does not list (left by an interrupted snapshot or destroy); repair removes it"));
                }
            }

            if (entries.Count == 0 && subvolumes.All(record => record.Name != subvolume))
            {
                findings.Add(new Finding(FindingKind.EmptyDirectory, directory, $"{directory} is an empty snapshot directory of no subvolume; repair removes it", Repairable: true)
                {
                    Repair = () => files.DeleteDirectoryIfEmpty(directory),
                });
            }
        }
    }

    private void FindPartialImages(List<Finding> findings)
    {
        if (files.Status(layout.IncomingDirectory).Kind != EntryKind.Directory)
        {
            return;
        }

        foreach (var name in files.List(layout.IncomingDirectory).Where(name => name.EndsWith(".partial", StringComparison.Ordinal)))
        {
            var path = Path.Combine(layout.IncomingDirectory, name);
            if (files.Status(path).Kind != EntryKind.File)
            {
                continue;
            }

            findings.Add(new Finding(FindingKind.PartialImage, path, $"{path} is an image left half-made by an interrupted operation; repair removes it", Repairable: true)
            {
                Repair = () => files.Delete(path),
            });
        }

        foreach (var subvolume in Replication.PartialReceive.Subvolumes(files, layout.IncomingDirectory))
        {
            var state = Replication.PartialReceive.Load(files, layout.IncomingDirectory, subvolume);
            var abort = new Remedy.AbortReceive(layout.Root, subvolume);
            findings.Add(state is null
                ? new Finding(FindingKind.PartialReceive, subvolume, $"an interrupted receive into {Printable.Quote(subvolume)} left unreadable state", Repairable: false)
                {
                    Remedy = abort,
                }
                : new Finding(FindingKind.PartialReceive, subvolume, $"a receive of {subvolume}@{state.Snapshot} stopped at {state.ConfirmedOffset} of {state.ImageSize} bytes", Repairable: false)
                {
                    Remedy = new Remedy.AnyOf([new Remedy.PrintResumeToken(layout.Root, subvolume), abort]),
                });
        }
    }

    /// <summary>
    /// Staging mount points are in use only while an operation holds the write lock, which check holds: any found is a
    /// killed process's. One still mounted keeps the filesystem, its unencrypted root and any key added to it alive after
    /// everything else let go; unmounting it lets autoclear detach the loop device, and the key goes with the filesystem.
    /// </summary>
    private void FindLeftoverStagingMounts(List<Finding> findings)
    {
        if (files.Status(layout.MetadataDirectory).Kind != EntryKind.Directory)
        {
            return;
        }

        var mounts = Mounts.Read();
        foreach (var name in files.List(layout.MetadataDirectory).Where(name => name.StartsWith(PoolLayout.StagingMountPrefix, StringComparison.Ordinal)))
        {
            var path = Path.Combine(layout.MetadataDirectory, name);
            if (files.Status(path).Kind != EntryKind.Directory)
            {
                continue;
            }

            var stacked = mounts.Count(mount => mount.Target == path);
            if (stacked == 0 && files.List(path).Count > 0)
            {
                // Nothing Subvol does leaves files in one: they are someone else's, and stay.
                findings.Add(new Finding(FindingKind.LeftoverStagingMount, path,
                    $"{path} is a staging mount point with files in it that Subvol did not put there; left alone: look at them and remove the directory by hand", Repairable: false));
                continue;
            }

            findings.Add(stacked == 0
                ? new Finding(FindingKind.LeftoverStagingMount, path,
                    $"{path} is an empty staging mount point left by an interrupted mount of an encrypted subvolume; repair removes it", Repairable: true)
                {
                    Repair = () => files.DeleteDirectoryIfEmpty(path),
                }
                : new Finding(FindingKind.LeftoverStagingMount, path,
                    $"{path} still holds the whole filesystem of {mounts.First(mount => mount.Target == path).Source}, left mounted by an interrupted mount, create or key unload of an encrypted subvolume; repair unmounts it and removes it",
                    Repairable: true)
                {
                    Repair = () =>
                    {
                        for (var mount = 0; mount < stacked; mount++)
                        {
                            ImageMounts.UnmountTarget(path);
                        }

                        files.DeleteDirectoryIfEmpty(path);
                    },
                });
        }
    }

    private void FindLeakedLoopDevices(List<Finding> findings)
    {
        var prefix = layout.Root + Path.DirectorySeparatorChar;
        foreach (var device in LoopDevice.List().Where(device => device.BackingFile.StartsWith(prefix, StringComparison.Ordinal)))
        {
            if (Mounts.FindBySource(device.DevicePath).Count == 0)
            {
                findings.Add(new Finding(FindingKind.LeakedLoopDevice, device.DevicePath,
                    $"{device.DevicePath} is attached to {device.BackingFile} but mounted nowhere; repair detaches it", Repairable: true)
                {
                    Repair = () => LoopDevice.DetachDevice(device.DevicePath, device.BackingFile),
                });
            }
        }
    }

    private Finding OrphanImage(string path, string message)
    {
        if (ReasonToKeep(path) is { } reason)
        {
            return new Finding(FindingKind.OrphanImage, path,
                message.Replace("; repair removes it", $"; {reason}, so it is left alone: look at it, then move it away or remove it"), Repairable: false);
        }

        if (ImageMounts.Find(path).Count > 0)
        {
            return new Finding(FindingKind.OrphanImage, path, message.Replace("; repair removes it", "; it is mounted, so unmount it before repairing"), Repairable: false);
        }

        return new Finding(FindingKind.OrphanImage, path, message, Repairable: true)
        {
            Repair = () =>
            {
                ImageMounts.Unmount(path);
                files.DeleteImage(path);
            },
        };
    }

    /// <summary>
    /// Why an image no record owns is not a leftover of the pool's own interrupted operation, or null
    /// when it is one. Every image the pool makes carries an identity, of its kind and with a GUID of
    /// its own, before it is published; anything else (one a rebuild could not place, say) may be
    /// someone's only copy.
    /// </summary>
    private string? ReasonToKeep(string path)
    {
        ImageIdentity? identity;
        try
        {
            identity = ImageIdentity.Read(files, path);
        }
        catch (FormatException)
        {
            identity = null;
        }

        if (identity is null)
        {
            return "it carries no identity the pool could read";
        }

        var kind = Path.GetDirectoryName(path) == layout.SubvolumesDirectory ? ImageKind.Subvolume : ImageKind.Snapshot;
        if (identity.Kind != kind)
        {
            return $"its identity says it is a {(identity.Kind == ImageKind.Subvolume ? "subvolume" : "snapshot")}";
        }

        var subvolumes = database.ListSubvolumes();
        if (subvolumes.Any(subvolume => subvolume.Guid == identity.Guid) || database.FindSnapshot(identity.Guid) is not null)
        {
            return $"its GUID {identity.Guid} belongs to another image of the pool";
        }

        var directory = Path.GetFileName(Path.GetDirectoryName(path));
        if (kind == ImageKind.Snapshot && subvolumes.FirstOrDefault(subvolume => subvolume.Guid == identity.Parent) is { } owner && owner.Name != directory)
        {
            return $"its identity says it is a snapshot of subvolume {Printable.Quote(owner.Name)}";
        }

        return null;
    }
}
