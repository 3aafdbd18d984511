
namespace Subvol.Snapshots;

/// <summary>A snapshot as front ends show it.</summary>
public sealed record SnapshotInfo(
    string Subvolume,
    string Name,
    Guid Guid,
    long Size,
    string FileSystem,
    DateTimeOffset Created,
    long AllocatedBytes,
    string? MountPoint)
{
    public string FullName => $"{Subvolume}@{Name}";

    /// <summary>Bytes no other image of the pool shares (what destroying it frees); filled in by listings, which read every extent map.</summary>
    public long? Exclusive { get; init; }

    /// <summary>The program that took it and asked to be remembered, such as the CSI driver; null when taken with the command line.</summary>
    public string? Creator { get; init; }

    /// <summary>The group snapshot it was taken in (see <see cref="SnapshotGroupInfo"/>); null for one taken alone.</summary>
    public string? Group { get; init; }

    /// <summary>How long its subvolume stayed frozen for it; null when it was taken unmounted, or before durations were recorded.</summary>
    public TimeSpan? Frozen { get; init; }

    /// <summary>The replication targets for which this snapshot is the recorded base (the newest snapshot both sides hold), by address.</summary>
    public IReadOnlyList<string> BaseFor { get; init; } = [];
}
