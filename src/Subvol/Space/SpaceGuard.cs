using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Safety;
using Subvol.Subvolumes;

namespace Subvol.Space;

/// <summary>
/// Keeps subvolumes' filesystems consistent when the host runs out of space: it remounts them
/// read-only (or freezes them) before their writes fail, and undoes exactly that when space returns.
/// </summary>
internal sealed class SpaceGuard(PoolSession session, SpaceAdmission space)
{
    private PoolFiles Files => session.Files;

    /// <summary>
    /// One pass of the guard. When the host's free space falls under the critical threshold it
    /// remounts mounted thin subvolumes read-only (freezing them when a remount is refused and the
    /// caller can hold a freeze), before the host fills and their filesystems meet write errors.
    /// When space returns above the resume threshold it undoes exactly what it did. Guaranteed
    /// subvolumes are left alone while their space is theirs; when the pool has a shortfall (other
    /// writers took part of their reservation) they are protected as thin ones are.
    /// </summary>
    /// <param name="canHoldFreezes">True for a long-running guard: a freeze lasts only while its process lives.</param>
    public IReadOnlyList<GuardAction> GuardOnce(GuardThresholds thresholds, bool canHoldFreezes)
    {
        using var writeLock = session.AcquireWriteLock();
        var usage = FileSystemStatistics.Get(session.Layout.Root);
        var critical = thresholds.Critical ?? SpaceAdmission.Slop(usage.TotalBytes);
        var resume = Math.Max(critical, thresholds.Resume ?? critical * 2);
        var stateDirectory = GuardState.Directory(session.Layout.MetadataDirectory);
        // XFS frees a deleted file's blocks in the background: what a person just deleted to let a held subvolume go
        // counts once that is done, not a moment before.
        var held = GuardState.ReadAll(Files, stateDirectory);
        if (usage.AvailableBytes <= resume && held.Count > 0 && XfsInactivation.WaitForFrees(session.Layout.Root))
        {
            usage = FileSystemStatistics.Get(session.Layout.Root);
        }

        var actions = new List<GuardAction>();
        var free = $"{ByteSize.Format(usage.AvailableBytes)} free";
        if (usage.AvailableBytes < critical)
        {
            var reason = $"{free}, under the critical {ByteSize.Format(critical)}";
            var shortfall = space.Shortfall(usage);
            foreach (var subvolume in session.Database.ListSubvolumes().Where(subvolume => subvolume.Provisioning == Provisioning.Thin || shortfall > 0))
            {
                if (ImageMounts.FindWritable(session.Layout.SubvolumeImage(subvolume.Name)) is { } mount)
                {
                    var why = subvolume.Provisioning == Provisioning.Thin ? reason : $"{reason}, and a shortfall of {ByteSize.Format(shortfall)} leaves its guarantee uncovered";
                    actions.Add(Protect(subvolume.Name, mount, stateDirectory, canHoldFreezes, why));
                }
            }
        }
        else if (usage.AvailableBytes > resume)
        {
            foreach (var state in held)
            {
                if (Release(state, stateDirectory, $"{free}, over the resume threshold {ByteSize.Format(resume)}") is { } action)
                {
                    actions.Add(action);
                }
            }
        }

        return actions;
    }

    private GuardAction Protect(string subvolume, MountEntry mount, string stateDirectory, bool canHoldFreezes, string reason)
    {
        try
        {
            // A read-only remount flushes and cleans the log, so the filesystem stays consistent however full the host gets.
            Mounts.Mount(mount.Source, mount.Target, mount.FileSystemType, MountFlags.Remount | MountFlags.ReadOnly, null);
            new GuardState(subvolume, mount.Target, GuardState.ReadOnly).Save(Files, stateDirectory);
            return new GuardAction(subvolume, mount.Target, "remounted read-only", reason);
        }
        catch (SystemCallException exception) when (exception.Errno == Errno.EBUSY)
        {
            if (!canHoldFreezes)
            {
                return new GuardAction(subvolume, mount.Target, "left writable",
                    $"{reason}; a file is open for writing, so it cannot be remounted read-only, and a one-shot guard cannot hold a freeze: run the guard as a service");
            }

            // The freeze record ties the freeze to this process: if the guard dies, the next subvol command thaws it.
            FreezeRecord.Write(Files, session.Layout.FreezeDirectory, subvolume, mount.Target);
            _ = Freeze.Begin(mount.Target); // held on purpose: Release thaws it when space returns
            new GuardState(subvolume, mount.Target, GuardState.Frozen).Save(Files, stateDirectory);
            return new GuardAction(subvolume, mount.Target, "frozen", $"{reason}; it could not be remounted read-only ({exception.ErrnoName})");
        }
    }

    /// <summary>
    /// Undoes what the guard did to a subvolume's mount. The state is a file, and mount state is never taken from a file:
    /// a mount point where the kernel no longer shows that subvolume (remounted by hand, or after a reboot) is left as it
    /// is, and only the state goes.
    /// </summary>
    private GuardAction? Release(GuardState state, string stateDirectory, string reason)
    {
        if (!ImageMounts.SubvolumeMountedAt(session.Layout, state.Subvolume, state.MountPoint))
        {
            state.Delete(Files, stateDirectory);
            return null;
        }

        if (state.How == GuardState.Frozen)
        {
            Freeze.TryThaw(state.MountPoint);
            Files.Delete(Path.Combine(session.Layout.FreezeDirectory, state.Subvolume));
            state.Delete(Files, stateDirectory);
            return new GuardAction(state.Subvolume, state.MountPoint, "thawed", reason);
        }

        if (Mounts.FindByTarget(state.MountPoint) is { } mount)
        {
            Mounts.Mount(mount.Source, mount.Target, mount.FileSystemType, MountFlags.Remount, null);
        }

        state.Delete(Files, stateDirectory);
        return new GuardAction(state.Subvolume, state.MountPoint, "remounted read-write", reason);
    }
}
