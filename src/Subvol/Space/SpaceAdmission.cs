using System.Globalization;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;

namespace Subvol.Space;

/// <summary>
/// The pool's space ledger: what guaranteed subvolumes hold in reserve, what thin ones may promise
/// under the overcommit ratio, how much of the reserve other writers took (the shortfall), and the
/// admission of every new image or larger size against those numbers.
/// </summary>
internal sealed class SpaceAdmission(PoolSession session)
{
    private const string OvercommitKey = "overcommit";

    /// <summary>The largest overcommit ratio a pool accepts.</summary>
    public const double MaximumOvercommit = 100.0;

    /// <summary>Warn when less than this share of the pool is free, before thin subvolumes start failing writes.</summary>
    private const double WarningFreeShare = 0.10;

    private string Path => session.Path;

    /// <summary>How far thin subvolumes may promise beyond the pool's size; 1 allows no overcommit.</summary>
    public double Overcommit =>
        double.TryParse(session.Database.GetPoolValue(OvercommitKey), NumberStyles.Float, CultureInfo.InvariantCulture, out var ratio) ? ratio : 1.0;

    public void SetOvercommit(double ratio)
    {
        if (!double.IsFinite(ratio) || ratio < 1.0 || ratio > MaximumOvercommit)
        {
            throw SubvolException.Invalid($"overcommit must be a ratio from 1 (none) to 100, such as 1.5; {ratio.ToString(CultureInfo.InvariantCulture)} is not");
        }

        using var writeLock = session.AcquireWriteLock();
        session.Database.SetPoolValue(OvercommitKey, ratio.ToString(CultureInfo.InvariantCulture));
        PoolSettings.Write(session.Files, session.Layout.MetadataDirectory, session.Database.ListPoolValues());
    }

    /// <summary>
    /// Space kept back for repairs, as OpenZFS's slop: 3.2% of the pool, at least 128 MiB, at most half.
    /// Admission never counts it as free, so deletes and repairs still find room when the pool is "full".
    /// </summary>
    public static long Slop(long poolSize) => Math.Min(poolSize / 2, Math.Max(128L << 20, poolSize * 32 / 1000));

    /// <summary>A warning for the person at the terminal when the pool has a shortfall or is nearly full, else null.</summary>
    public SpaceWarning? Warning()
    {
        var usage = FileSystemStatistics.Get(session.Layout.Root);
        if (ShortfallWarning(usage) is { } shortfall)
        {
            return shortfall.Warning;
        }

        if (usage.TotalBytes <= 0 || usage.AvailableBytes >= usage.TotalBytes * WarningFreeShare)
        {
            return null;
        }

        return new SpaceWarning(
            $"pool {Path} has only {ByteSize.Format(usage.AvailableBytes)} free of {ByteSize.Format(usage.TotalBytes)}; " +
            "thin subvolumes fail writes when it fills, and the space guard keeps their filesystems consistent",
            FreeSpaceAndGuard);
    }

    /// <summary>The shortfall and what to say about it, wherever a person sees it (a warning, or check); null when there is none.</summary>
    public (long Bytes, SpaceWarning Warning)? ShortfallWarning(FileSystemUsage usage)
    {
        var (shortfall, free) = ShortfallAndFree(usage, reserved: null);
        if (shortfall <= 0)
        {
            return null;
        }

        return (shortfall, new SpaceWarning(
            $"pool {Path} has a shortfall of {ByteSize.Format(shortfall)}: its guaranteed subvolumes may still need {ByteSize.Format(shortfall + free)} " +
            $"but the host has {ByteSize.Format(free)} free, because other writers (thin subvolumes, files outside Subvol) took the rest; " +
            "until space is freed their writes can fail, and the space guard keeps their filesystems consistent meanwhile",
            FreeSpaceAndGuard));
    }

    private Remedy FreeSpaceAndGuard => new Remedy.AnyOf([new Remedy.Advice("destroy old snapshots or remove other files"), new Remedy.RunGuard(Path)]);

    /// <summary>
    /// How much of the guaranteed subvolumes' reservation other writers have taken: the headroom they
    /// may still need beyond the free space their writes can use, else 0. Every writer counts (thin
    /// subvolumes, and files outside Subvol), since the ledger refuses only Subvol's own operations.
    /// </summary>
    /// <param name="reserved">The reservations when the caller has read them already; else they are read only if they could matter.</param>
    public long Shortfall(FileSystemUsage usage, long? reserved = null) => ShortfallAndFree(usage, reserved).Shortfall;

    /// <summary>The shortfall with the usable free space it was measured against, which costs a look at the host to find.</summary>
    private (long Shortfall, long Free) ShortfallAndFree(FileSystemUsage usage, long? reserved)
    {
        var free = UsableFreeBytes(usage);

        // Headroom never exceeds a subvolume's size: with that much free, no extent map needs reading.
        var guaranteedSizes = session.Database.ListSubvolumes().Where(subvolume => subvolume.Provisioning == Provisioning.Guaranteed).Sum(subvolume => subvolume.Size);
        return (guaranteedSizes <= free ? 0 : Math.Max(0, (reserved ?? ReservedBytes()) - free), free);
    }

    /// <summary>
    /// The pool's free space that writes can really use. In a file-backed pool whose image has holes
    /// (made sparse, or trimmed), a block the pool's filesystem hands out may be a hole that the host
    /// outside must fill: at worst every free block is one, so the host's own free space bounds all
    /// but the free space the image's allocation already covers.
    /// </summary>
    public long UsableFreeBytes(FileSystemUsage usage)
    {
        var holes = PoolImageHoles();
        if (holes == 0)
        {
            return usage.AvailableBytes;
        }

        var host = FileSystemStatistics.Get(System.IO.Path.GetDirectoryName(session.Image!)!);
        return Math.Min(usage.AvailableBytes, host.AvailableBytes + Math.Max(0, usage.AvailableBytes - holes));
    }

    /// <summary>How much of a file-backed pool's image the host does not hold (holes a sparse image or a trim left); 0 for a pool on a directory.</summary>
    public long PoolImageHoles() =>
        session.Image is { } image && File.Exists(image) ? Math.Max(0, new FileInfo(image).Length - FileSpace.AllocatedBytes(image)) : 0;

    /// <summary>The headroom every guaranteed subvolume may still need.</summary>
    public long ReservedBytes() =>
        session.Database.ListSubvolumes()
            .Where(subvolume => subvolume.Provisioning == Provisioning.Guaranteed)
            .Sum(subvolume => Headroom.Of(session.Files, session.Layout.SubvolumeImage(subvolume.Name), subvolume.Size));

    /// <summary>Refuses, with the numbers, a change that would promise guaranteed space the host does not have.</summary>
    public void EnsureCanReserve(long additional, string what)
    {
        if (additional <= 0)
        {
            return;
        }

        var usage = FileSystemStatistics.Get(session.Layout.Root);
        var reserved = ReservedBytes();
        var slop = Slop(usage.TotalBytes);
        var free = usage.AvailableBytes - reserved - slop;
        if (additional > free)
        {
            throw SubvolException.NoSpace(
                $"pool {Path} has {ByteSize.Format(Math.Max(0, free))} free beyond its reservations " +
                $"({ByteSize.Format(reserved)} reserved for guaranteed subvolumes, {ByteSize.Format(slop)} kept for repairs); " +
                $"{what} needs {ByteSize.Format(additional)} more reserved");
        }
    }

    /// <summary>
    /// The same, for an amount that only extent maps can tell but that never exceeds <paramref name="atMost"/>: when even
    /// that much fits beside every guaranteed subvolume's whole size (which bounds its headroom), the refusal cannot
    /// happen, so no extent map is read; otherwise <paramref name="additional"/> is measured and admitted as above.
    /// </summary>
    public void EnsureCanReserve(long atMost, Func<long> additional, string what)
    {
        var usage = FileSystemStatistics.Get(session.Layout.Root);
        var guaranteedSizes = session.Database.ListSubvolumes().Where(subvolume => subvolume.Provisioning == Provisioning.Guaranteed).Sum(subvolume => subvolume.Size);
        if (atMost + guaranteedSizes <= usage.AvailableBytes - Slop(usage.TotalBytes))
        {
            return;
        }

        EnsureCanReserve(additional(), what);
    }

    /// <summary>
    /// What all subvolumes may promise between them at an overcommit ratio of 1: the pool's size less
    /// the guaranteed reservations. A guaranteed subvolume's size counts once among the promises, and
    /// the copy-on-write headroom its snapshots created (the blocks they now share) is held back as
    /// well, so thin subvolumes, even written to their full size, cannot take it.
    /// </summary>
    private (long Capacity, long Provisioned, long Reserved) PromiseBudget(FileSystemUsage usage, long reserved) =>
        (Math.Max(0, usage.TotalBytes - reserved), session.Database.ListSubvolumes().Sum(subvolume => subvolume.Size), reserved);

    /// <summary>How much more thin subvolumes may promise under the overcommit ratio.</summary>
    public long ThinAvailable(FileSystemUsage usage, long reserved)
    {
        var (capacity, provisioned, _) = PromiseBudget(usage, reserved);
        return Math.Max(0, (long)(capacity * Overcommit) - provisioned);
    }

    /// <summary>Refuses a thin promise beyond the pool's overcommit ratio of its size less the reservations; <paramref name="remedy"/> says what to do, where create's advice does not fit.</summary>
    public void EnsureOvercommitAllows(long additional, string what, Remedy? remedy = null)
    {
        var usage = FileSystemStatistics.Get(session.Layout.Root);
        var (capacity, provisioned, reserved) = PromiseBudget(usage, ReservedBytes());
        var ratio = Overcommit;
        var limit = (long)(capacity * ratio);
        if (provisioned + additional > limit)
        {
            throw SubvolException.NoSpace(
                $"pool {Path} of {ByteSize.Format(usage.TotalBytes)}, less {ByteSize.Format(reserved)} reserved for guaranteed subvolumes, already promises {ByteSize.Format(provisioned)}, " +
                $"and {what} would take that to {ByteSize.Format(provisioned + additional)}, beyond its overcommit ratio of {ratio.ToString("0.##", CultureInfo.InvariantCulture)}",
                remedy ?? new Remedy.AnyOf([new Remedy.RaiseOvercommit(Path, 1.5), new Remedy.UseGuaranteedProvisioning()]));
        }
    }

    /// <summary>Admission for a new image of the given size and mode: real space for guaranteed, the ratio for thin.</summary>
    /// <param name="thinRemedy">What to do when the ratio refuses a thin one, where create's advice does not fit.</param>
    public void Admit(Provisioning provisioning, long size, string what, Remedy? thinRemedy = null)
    {
        if (provisioning == Provisioning.Guaranteed)
        {
            EnsureCanReserve(size, what);
        }
        else
        {
            EnsureOvercommitAllows(size, what, thinRemedy);
        }
    }

    /// <summary>
    /// Admission for growing a subvolume to <paramref name="newSize"/>: a guaranteed one reserves what its
    /// image does not yet cover, a thin one promises what its recorded size does not.
    /// </summary>
    public void AdmitGrowth(SubvolumeRecord record, long imageSize, long newSize, string what)
    {
        if (record.Provisioning == Provisioning.Guaranteed)
        {
            EnsureCanReserve(newSize - imageSize, what);
        }
        else
        {
            EnsureOvercommitAllows(newSize - record.Size, what);
        }
    }
}
