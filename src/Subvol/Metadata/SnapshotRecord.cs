namespace Subvol.Metadata;

/// <summary>A snapshot as the pool database holds it; Id orders snapshots in time within the pool.</summary>
internal sealed record SnapshotRecord(long Id, long SubvolumeId, string SubvolumeName, string Name, Guid Guid, long Size, string FileSystem, DateTimeOffset Created);
