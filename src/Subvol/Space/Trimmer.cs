using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Subvolumes;

namespace Subvol.Space;

/// <summary>Gives a thin subvolume's freed blocks back to the host.</summary>
internal sealed class Trimmer(PoolSession session)
{
    /// <summary>Runs fstrim in a mounted thin subvolume: the loop device turns discards into holes in its image.</summary>
    public TrimResult Trim(string name)
    {
        using var writeLock = session.AcquireWriteLock();
        var record = session.RequireSubvolume(name);
        if (record.Provisioning == Provisioning.Guaranteed)
        {
            throw SubvolException.NotSupported(
                $"{Printable.Quote(name)} is guaranteed: its image stays allocated so that writes never need host space, so a trim would give nothing back for long; trim thin subvolumes");
        }

        var image = session.Layout.SubvolumeImage(name);
        var mount = ImageMounts.FindWritable(image)
            ?? throw SubvolException.Invalid("trim works through the mounted filesystem", new Remedy.Mount(session.Path, name));
        var before = session.Files.AllocatedBytes(image);
        var discarded = Tools.Trim(mount.Target);
        var after = session.Files.AllocatedBytes(image);
        return new TrimResult(discarded, Math.Max(0, before - after));
    }
}
