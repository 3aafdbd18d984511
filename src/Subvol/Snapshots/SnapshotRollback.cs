using Microsoft.Win32.SafeHandles;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol.Snapshots;

/// <summary>Puts a snapshot's image back in place of its subvolume's, in one rename.</summary>
internal sealed class SnapshotRollback(PoolSession session)
{
    private PoolLayout Layout => session.Layout;

    private PoolDatabase Database => session.Database;

    /// <summary>Rolls back to the snapshot and returns the newer snapshots it destroyed, which only <paramref name="force"/> allows.</summary>
    public IReadOnlyList<string> Run(SnapshotReference reference, bool force)
    {
        using var writeLock = session.AcquireWriteLock();
        var subvolume = session.RequireSubvolume(reference.Subvolume);
        var snapshot = session.RequireSnapshot(reference);
        var image = Layout.SubvolumeImage(subvolume.Name);
        ImageMounts.RefuseIfInUse(image, $"subvolume {Printable.Quote(subvolume.Name)}", new Remedy.Unmount(session.Path, subvolume.Name), subvolume.Name);
        var newer = Database.ListSnapshots(subvolume.Name).Where(other => other.Id > snapshot.Id).ToList();
        if (newer.Count > 0 && !force)
        {
            throw SubvolException.Busy(
                $"{reference} is not the newest snapshot: {string.Join(", ", newer.Select(s => s.Name))} came after it",
                new Remedy.RepeatWithForce("it destroys them and rolls back"));
        }

        foreach (var other in newer)
        {
            var otherImage = Layout.SnapshotImage(subvolume.Name, other.Name);
            ImageMounts.RefuseIfMounted(otherImage, $"snapshot {subvolume.Name}@{other.Name}", new Remedy.Unmount(session.Path, $"{subvolume.Name}@{other.Name}"));
            session.Files.RefuseUnlessImageOrMissing(otherImage);
        }

        var writeStamp = ReplaceImage(subvolume, snapshot, prepared: null, $"cannot roll back to {reference}");
        PausePoint.Reach("rollback-replaced");
        using (var transaction = Database.BeginTransaction())
        {
            Database.UpdateSubvolumeSize(subvolume.Id, snapshot.Size);
            Database.UpdateWriteStamp(subvolume.Id, writeStamp);
            foreach (var other in newer)
            {
                Database.DeleteSnapshot(other.Id);
            }

            transaction.Commit();
        }

        session.Files.DeleteImages(newer.Select(other => Layout.SnapshotImage(subvolume.Name, other.Name)));

        return newer.Select(other => other.Name).ToList();
    }

    /// <summary>
    /// Replaces a subvolume's image by a clone of one of its snapshots, in one rename, and returns the
    /// write stamp the new image carries. The caller has made sure that nothing has the image open.
    /// </summary>
    /// <param name="prepared">An unnamed image that already holds exactly the snapshot's data, used instead of a clone; null to clone.</param>
    public DateTime ReplaceImage(SubvolumeRecord subvolume, SnapshotRecord snapshot, SafeFileHandle? prepared, string failure)
    {
        var files = session.Files;
        var partial = Layout.PartialImage(Guid.NewGuid());
        return PartialImage.Build(files, partial, failure, () =>
        {
            if (prepared is null)
            {
                files.Clone(Layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name), partial);
            }
            else
            {
                files.Link(prepared, partial);
            }

            if (subvolume.Provisioning == Provisioning.Guaranteed)
            {
                // The restored image must be as writable as the one it replaces: allocate its holes before the swap.
                files.Preallocate(partial, 0, snapshot.Size);
            }

            var writeStamp = WriteStamp.Apply(files, partial);
            ImageIdentity.Write(files, partial, ImageIdentity.Of(subvolume with { Size = snapshot.Size, WriteStamp = writeStamp }));
            // rename(2) replaces the image atomically: a crash leaves the old image or the restored one.
            files.Replace(partial, Layout.SubvolumeImage(subvolume.Name));
            return writeStamp;
        });
    }
}
