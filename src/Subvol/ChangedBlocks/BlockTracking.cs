using Microsoft.Win32.SafeHandles;
using Subvol.Errors;
using Subvol.Linux;
using Subvol.Metadata;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Replication;

namespace Subvol.ChangedBlocks;

/// <summary>
/// Changed-block tracking, as backup tools ask for it (CSI SnapshotMetadata): which ranges of a snapshot hold data,
/// and which changed between two snapshots of one subvolume, from the extent maps alone. It takes no lock and reads
/// no data: snapshot images never change, and an open image survives a concurrent destroy.
/// </summary>
internal sealed class BlockTracking(PoolSession session)
{
    public SnapshotBlocks Allocated(SnapshotReference reference, long startingOffset)
    {
        var snapshot = session.RequireSnapshot(reference);
        RequireOffset(startingOffset, snapshot);
        var (image, segments) = Open(snapshot, snapshot.Size, startingOffset);
        var ranges = RangeCoalescing.Coalesce(AllocatedRanges.From(segments, startingOffset));
        return new SnapshotBlocks(snapshot.Size, ranges, [image], [segments]);
    }

    public SnapshotBlocks Delta(SnapshotReference baseReference, SnapshotReference targetReference, long startingOffset)
    {
        var baseline = session.RequireSnapshot(baseReference);
        var target = session.RequireSnapshot(targetReference);
        if (baseline.SubvolumeId != target.SubvolumeId)
        {
            throw SubvolException.Invalid($"the base {baseReference} and the target {targetReference} are snapshots of different subvolumes; a delta needs two of the same");
        }

        if (baseline.Id >= target.Id)
        {
            throw SubvolException.Invalid($"the base {baseReference} is not older than {targetReference}; ask for the delta from an older snapshot of {baseReference.Subvolume}");
        }

        RequireOffset(startingOffset, target);
        // The base is read over the target's extent only: what lies past the target's end is not in the target at all.
        var (baseImage, baseSegments) = Open(baseline, target.Size, startingOffset);
        try
        {
            var (targetImage, targetSegments) = Open(target, target.Size, startingOffset);
            var ranges = RangeCoalescing.Coalesce(DeltaRanges.Between(baseSegments, targetSegments, startingOffset, target.Size));
            return new SnapshotBlocks(target.Size, ranges, [baseImage, targetImage], [baseSegments, targetSegments]);
        }
        catch
        {
            baseSegments.Dispose();
            baseImage.Dispose();
            throw;
        }
    }

    /// <summary>CSI: an offset that is negative or past the end is OUT_OF_RANGE; the end itself asks for nothing more.</summary>
    private static void RequireOffset(long startingOffset, SnapshotRecord snapshot)
    {
        if (startingOffset < 0 || startingOffset > snapshot.Size)
        {
            throw new SubvolException(
                SubvolErrorCode.OutOfRange,
                $"starting offset {startingOffset} is outside snapshot {snapshot.SubvolumeName}@{snapshot.Name}, which has {snapshot.Size} bytes");
        }
    }

    private (SafeFileHandle Image, DataSegments Segments) Open(SnapshotRecord snapshot, long size, long startingOffset)
    {
        var path = session.Layout.SnapshotImage(snapshot.SubvolumeName, snapshot.Name);
        var image = session.Files.OpenFile(path, FileAccess.Read);
        try
        {
            return (image, new DataSegments(ExtentMap.ReadFrom(image, path, startingOffset), size));
        }
        catch
        {
            image.Dispose();
            throw;
        }
    }
}
