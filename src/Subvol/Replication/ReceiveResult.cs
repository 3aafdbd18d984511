using Subvol.Snapshots;

namespace Subvol.Replication;

/// <summary>What a receive published.</summary>
public sealed record ReceiveResult(SnapshotInfo Snapshot, bool CreatedSubvolume, long DataBytes, bool Resumed);
