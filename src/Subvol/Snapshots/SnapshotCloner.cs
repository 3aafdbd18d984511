using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Space;

namespace Subvol.Snapshots;

/// <summary>Makes an independent, writable subvolume from a snapshot, with a filesystem UUID of its own.</summary>
internal sealed class SnapshotCloner(PoolSession session, SpaceAdmission space)
{
    /// <summary>The clone's record; the same clone asked for again is AlreadyExisted, another subvolume of that name an error.</summary>
    /// <param name="creator">Recorded as the clone's creator, so that a program such as the CSI driver can tell its own.</param>
    public OperationResult<SubvolumeRecord> Clone(SnapshotReference source, string name, Provisioning provisioning, string? creator)
    {
        NameRules.Validate(name, "subvolume");
        using var writeLock = session.AcquireWriteLock();
        var snapshot = session.RequireSnapshot(source);
        if (session.Database.FindSubvolume(name) is { } existing)
        {
            if (existing.OriginSnapshot == snapshot.Guid)
            {
                return new(Outcome.AlreadyExisted, existing);
            }

            throw SubvolException.AlreadyExists($"subvolume {Printable.Quote(name)} already exists; choose another name");
        }

        // A clone shares every block with its snapshot, so a guaranteed clone needs its whole size as headroom.
        space.Admit(provisioning, snapshot.Size, $"a {ProvisioningNames.Format(provisioning)} clone {Printable.Quote(name)} of {source}");
        var files = session.Files;
        var layout = session.Layout;
        var guid = Guid.NewGuid();
        var created = Clock.Now;
        var partial = layout.PartialImage(guid);
        PartialImage.Build(files, partial, $"cannot clone {source}", () =>
        {
            files.Clone(layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name), partial);
            if (provisioning == Provisioning.Guaranteed)
            {
                // Allocating the holes leaves only the shared blocks as headroom, which admission counted.
                files.Preallocate(partial, 0, snapshot.Size);
            }

            FileSystemIdentity.Renew(files, partial, snapshot.FileSystem);
            if (provisioning == Provisioning.Thin)
            {
                Sparseness.PunchUnwritten(files, partial);
            }

            PausePoint.Reach("clone-renewed");
            ImageIdentity.Write(files, partial, new ImageIdentity(guid, ImageKind.Subvolume, snapshot.Guid, created, provisioning, snapshot.Size, snapshot.FileSystem) { Creator = creator, WrappedKey = snapshot.WrappedKey });
            files.Publish(partial, layout.SubvolumeImage(name));
        });

        var record = session.Database.InsertSubvolume(name, guid, snapshot.Size, snapshot.FileSystem, snapshot.Guid, provisioning, creator: creator, created: created, wrappedKey: snapshot.WrappedKey);
        return new(Outcome.Created, record);
    }
}
