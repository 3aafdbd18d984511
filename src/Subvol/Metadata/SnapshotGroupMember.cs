namespace Subvol.Metadata;

/// <summary>One member of a group snapshot: the subvolume it was taken of, and the snapshot's name and GUID.</summary>
internal sealed record SnapshotGroupMember(string Subvolume, string Snapshot, Guid Guid);
