
namespace Subvol.Metadata;

/// <summary>A snapshot as the pool database holds it; Id orders snapshots in time within the pool.</summary>
/// <param name="Creator">The program that took it and asked to be remembered (the CSI driver's name); null for the command line.</param>
internal sealed record SnapshotRecord(long Id, long SubvolumeId, string SubvolumeName, string Name, Guid Guid, long Size, string FileSystem, DateTimeOffset Created, string? Creator = null)
{
    /// <summary>How long its subvolume stayed frozen for it; null when it was taken unmounted, or before durations were recorded.</summary>
    public TimeSpan? Frozen { get; init; }

    /// <summary>An encrypted snapshot's master key, wrapped as its subvolume's is; null when it is not encrypted.</summary>
    public byte[]? WrappedKey { get; init; }
}
