using Subvol.Names;

namespace Subvol.Snapshots;

/// <summary>What a destroy of several snapshots did: the ones it destroyed, as they were, and the ones that were not there.</summary>
public sealed record SnapshotsDestroyed(IReadOnlyList<SnapshotInfo> Destroyed, IReadOnlyList<SnapshotReference> Missing);
