using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Subvolumes;

namespace Subvol.Space;

/// <summary>
/// Turns a subvolume guaranteed or thin in place, mounted or not. To guaranteed: admitted with the same
/// reservation check as creating one, then its image is allocated. To thin: the record changes first (the
/// space is no longer promised), then the preallocated space it never wrote goes back to the pool.
/// </summary>
internal sealed class ProvisioningConversion(PoolSession session, SpaceAdmission space)
{
    public OperationResult<SubvolumeInfo> Convert(string name, Provisioning target)
    {
        using var writeLock = session.AcquireWriteLock();
        var record = session.RequireSubvolume(name);
        if (record.Provisioning == target)
        {
            return new(Outcome.Unchanged, Describe(name));
        }

        var image = session.Layout.SubvolumeImage(name);
        try
        {
            if (target == Provisioning.Guaranteed)
            {
                MakeGuaranteed(record, image);
            }
            else
            {
                MakeThin(record, image);
            }
        }
        catch (SystemCallException exception)
        {
            throw ErrorTranslation.During($"cannot make subvolume {Printable.Quote(name)} {ProvisioningNames.Format(target)}", exception);
        }

        return new(Outcome.Changed, Describe(name));
    }

    private void MakeGuaranteed(SubvolumeRecord record, string image)
    {
        // What it needs is what a guaranteed subvolume holds in reserve: its holes, and the extents it shares.
        space.EnsureCanReserve(
            record.Size,
            () => Headroom.Of(session.Files, image, record.Size),
            $"making {Printable.Quote(record.Name)} of {ByteSize.Format(record.Size)} guaranteed");

        // fallocate allocates only the holes and never changes written data, so it is safe beside live writes.
        session.Files.Preallocate(image, 0, ImageSpace.Length(session, image));
        Record(record with { Provisioning = Provisioning.Guaranteed }, image);
    }

    private void MakeThin(SubvolumeRecord record, string image)
    {
        // Thin promises count against the overcommit ratio, which the record already counted in full: nothing to admit.
        Record(record with { Provisioning = Provisioning.Thin }, image);
        if (ImageMounts.FindWritable(image) is { } mount)
        {
            // Mounted writable: only the filesystem knows which blocks are free now, so fstrim (the loop device punches what it discards); holes punched from an extent map read earlier could discard a write landing in between.
            Tools.Trim(mount.Target);
        }
        else if (new BlockDevices(session).FindAttached(record.Name) is null)
        {
            // Unmounted (or mounted read-only), nothing writes the image, so its unwritten extents can go directly.
            Sparseness.PunchUnwritten(session.Files, image);
        }

        // Attached as a raw block device, its user may write at any moment and there is no filesystem here to trim:
        // nothing is given back now, and a discard from that user (blkdiscard, or fstrim of what it mounted) punches the holes.
    }

    private void Record(SubvolumeRecord changed, string image)
    {
        session.Database.UpdateSubvolumeProvisioning(changed.Id, changed.Provisioning);
        ImageIdentity.Refresh(session.Files, image, ImageIdentity.Of(changed));
    }

    private SubvolumeInfo Describe(string name) => new SubvolumeLifecycle(session, space).Get(name);
}
