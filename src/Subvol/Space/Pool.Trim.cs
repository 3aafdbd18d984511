using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;
using Subvol.Space;
using Subvol.Subvolumes;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>Runs fstrim in a mounted thin subvolume: the loop device turns discards into holes in its image.</summary>
    public TrimResult Trim(string name)
    {
        using var writeLock = AcquireWriteLock();
        var record = RequireSubvolume(name);
        if (record.Provisioning == Provisioning.Guaranteed)
        {
            throw SubvolException.NotSupported(
                $"{Printable.Quote(name)} is guaranteed: its image stays allocated so that writes never need host space, so a trim would give nothing back for long; trim thin subvolumes");
        }

        var image = _layout.SubvolumeImage(name);
        var mount = ImageMounts.FindWritable(image)
            ?? throw SubvolException.Invalid($"trim works through the mounted filesystem; run 'subvol mount {name}' first");
        var before = AllocatedBytes(image);
        var discarded = Tools.Trim(mount.Target);
        var after = AllocatedBytes(image);
        return new TrimResult(discarded, Math.Max(0, before - after));
    }
}
