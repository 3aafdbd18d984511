using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Pools;

namespace Subvol.Checking;

/// <summary>
/// Compares the metadata with the files and the kernel. Because every operation publishes files
/// before rows and removes rows before files, the only differences a crash can leave are the ones
/// listed here, each with a repair that moves the pool forward to a consistent state.
/// </summary>
internal sealed class ConsistencyCheck(PoolLayout layout, PoolDatabase database)
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
        CheckSubvolumes(findings, subvolumes, snapshots, renaming);
        CheckSnapshots(findings, snapshots, renaming);
        FindOrphanSubvolumeImages(findings, subvolumes, renaming);
        FindOrphanSnapshotImages(findings, subvolumes, snapshots, renaming);
        FindPartialImages(findings);
        FindLeakedLoopDevices(findings);
        findings.AddRange(ForeignFiles.Find(layout));
        return findings;
    }

    private void CheckSubvolumes(List<Finding> findings, IReadOnlyList<SubvolumeRecord> subvolumes, IReadOnlyList<SnapshotRecord> snapshots, HashSet<string> renaming)
    {
        foreach (var subvolume in subvolumes.Where(subvolume => !renaming.Contains(subvolume.Name)))
        {
            var image = layout.SubvolumeImage(subvolume.Name);
            if (!File.Exists(image))
            {
                var hasSnapshots = snapshots.Any(snapshot => snapshot.SubvolumeId == subvolume.Id);
                findings.Add(hasSnapshots
                    ? new Finding(FindingKind.MissingImage, subvolume.Name,
                        $"the image of subvolume {Printable.Quote(subvolume.Name)} is missing; restore it from a snapshot with 'subvol rollback {subvolume.Name}@SNAPSHOT'", Repairable: false)
                    : new Finding(FindingKind.MissingImage, subvolume.Name,
                        $"the image of subvolume {Printable.Quote(subvolume.Name)} is missing and it has no snapshots; repair forgets it", Repairable: true)
                    {
                        Repair = () => database.DeleteSubvolume(subvolume.Id),
                    });
                continue;
            }

            var size = new FileInfo(image).Length;
            if (size != subvolume.Size)
            {
                findings.Add(new Finding(FindingKind.SizeMismatch, subvolume.Name,
                    $"subvolume {Printable.Quote(subvolume.Name)} is recorded as {subvolume.Size} bytes but its image has {size}; repair records the image's size", Repairable: true)
                {
                    Repair = () => database.UpdateSubvolumeSize(subvolume.Id, size),
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
            if (!File.Exists(image))
            {
                findings.Add(new Finding(FindingKind.MissingImage, name, $"the image of snapshot {Printable.Quote(name)} is missing; repair forgets the snapshot", Repairable: true)
                {
                    Repair = () => database.DeleteSnapshot(snapshot.Id),
                });
            }
            else if (ImmutableSupported(image) && !ImmutableAttribute.Get(image))
            {
                findings.Add(new Finding(FindingKind.NotImmutable, name, $"snapshot {Printable.Quote(name)} is not marked immutable; repair marks it", Repairable: true)
                {
                    Repair = () => ImmutableAttribute.Set(image, true),
                });
            }
        }
    }

    private void FindOrphanSubvolumeImages(List<Finding> findings, IReadOnlyList<SubvolumeRecord> subvolumes, HashSet<string> renaming)
    {
        if (!Directory.Exists(layout.SubvolumesDirectory))
        {
            return;
        }

        var known = subvolumes.Select(subvolume => subvolume.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFileSystemEntries(layout.SubvolumesDirectory))
        {
            var file = Path.GetFileName(path);
            if (!file.EndsWith(".img", StringComparison.Ordinal) || !File.Exists(path))
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
        if (!Directory.Exists(layout.SnapshotsDirectory))
        {
            return;
        }

        var known = snapshots.Select(snapshot => (snapshot.SubvolumeName, snapshot.Name)).ToHashSet();
        foreach (var directory in Directory.EnumerateDirectories(layout.SnapshotsDirectory))
        {
            var subvolume = Path.GetFileName(directory);
            if (renaming.Contains(subvolume))
            {
                continue;
            }

            var entries = Directory.EnumerateFileSystemEntries(directory).ToList();
            foreach (var path in entries)
            {
                var file = Path.GetFileName(path);
                if (!file.EndsWith(".img", StringComparison.Ordinal) || !File.Exists(path))
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
                    Repair = () => Directory.Delete(directory),
                });
            }
        }
    }

    private void FindPartialImages(List<Finding> findings)
    {
        if (!Directory.Exists(layout.IncomingDirectory))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(layout.IncomingDirectory, "*.partial"))
        {
            findings.Add(new Finding(FindingKind.PartialImage, path, $"{path} is an image left half-made by an interrupted operation; repair removes it", Repairable: true)
            {
                Repair = () => File.Delete(path),
            });
        }

        foreach (var subvolume in Replication.PartialReceive.Subvolumes(layout.IncomingDirectory))
        {
            var state = Replication.PartialReceive.Load(layout.IncomingDirectory, subvolume);
            findings.Add(new Finding(FindingKind.PartialReceive, subvolume,
                state is null
                    ? $"an interrupted receive into {Printable.Quote(subvolume)} left unreadable state; discard it with 'subvol receive --abort {subvolume}'"
                    : $"a receive of {subvolume}@{state.Snapshot} stopped at {state.ConfirmedOffset} of {state.ImageSize} bytes; resume it with the token from 'subvol receive --resume-token {subvolume}', or discard it with 'subvol receive --abort {subvolume}'",
                Repairable: false));
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

    private static Finding OrphanImage(string path, string message)
    {
        if (ImageMounts.Find(path).Count > 0)
        {
            return new Finding(FindingKind.OrphanImage, path, message.Replace("; repair removes it", "; it is mounted, so unmount it before repairing"), Repairable: false);
        }

        return new Finding(FindingKind.OrphanImage, path, message, Repairable: true)
        {
            Repair = () =>
            {
                ImageMounts.Unmount(path);
                if (ImmutableSupported(path) && ImmutableAttribute.Get(path))
                {
                    ImmutableAttribute.Set(path, false);
                }

                File.Delete(path);
            },
        };
    }

    private static bool ImmutableSupported(string path)
    {
        try
        {
            ImmutableAttribute.Get(path);
            return true;
        }
        catch (SystemCallException)
        {
            return false;
        }
    }
}
