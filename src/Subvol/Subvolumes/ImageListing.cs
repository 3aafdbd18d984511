using Subvol.Snapshots;

namespace Subvol.Subvolumes;

/// <summary>Subvolumes and snapshots described together, their exclusive bytes from one reading of every extent map.</summary>
public sealed record ImageListing(IReadOnlyList<SubvolumeInfo> Subvolumes, IReadOnlyList<SnapshotInfo> Snapshots);
