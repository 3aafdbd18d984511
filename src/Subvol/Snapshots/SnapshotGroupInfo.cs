
namespace Subvol.Snapshots;

/// <summary>
/// A group snapshot as front ends show it: its name, the one creation time of its members, the subvolumes it was
/// taken of (as they were named then), and those of its snapshots that still exist.
/// </summary>
public sealed record SnapshotGroupInfo(string Name, DateTimeOffset Created, string? Creator, IReadOnlyList<string> Subvolumes, IReadOnlyList<SnapshotInfo> Snapshots);
