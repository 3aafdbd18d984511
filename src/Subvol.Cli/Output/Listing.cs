namespace Subvol.Cli.Output;

/// <summary>'subvol list -t all --json' as one document.</summary>
internal sealed record Listing(IReadOnlyList<SubvolumeInfo> Subvolumes, IReadOnlyList<SnapshotInfo> Snapshots);
