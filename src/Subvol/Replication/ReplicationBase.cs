namespace Subvol.Replication;

/// <summary>
/// The newest snapshot that both this pool and a replication target hold of a subvolume, as recorded
/// after the last transfer to that target: the base its next incremental stream starts from.
/// </summary>
/// <param name="Target">The target's address as replicate normalizes it: a pool path, or ssh://[user@]host[:port]/POOL.</param>
public sealed record ReplicationBase(string Subvolume, string Target, Guid Snapshot, string SnapshotName, DateTimeOffset RecordedAt);
