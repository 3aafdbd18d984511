namespace Subvol.Metadata;

/// <summary>A group snapshot as the pool database holds it: its members as they were taken, whether or not each still exists.</summary>
internal sealed record SnapshotGroupRecord(long Id, string Name, DateTimeOffset Created, string? Creator, IReadOnlyList<SnapshotGroupMember> Members);
