namespace Subvol.Cli.Output;

/// <summary>
/// A subvolume or a snapshot as 'list' shows it, in one shape for both, as 'zfs list -t all' does:
/// NAME is NAME or NAME@SNAP, and a field that means nothing for the type is null.
/// </summary>
internal sealed record ImageRow(
    string Type,
    string Name,
    string Subvolume,
    string? Snapshot,
    Guid Guid,
    long Size,
    long Referenced,
    long? Exclusive,
    string FileSystem,
    Provisioning? Provisioning,
    int? Snapshots,
    DateTimeOffset Created,
    string? MountPoint,
    Guid? OriginSnapshot,
    bool? WrittenSinceSnapshot,
    string? Creator,
    IReadOnlyList<string>? BaseFor)
{
    /// <summary>The group snapshot a snapshot was taken in (through CSI's CreateVolumeGroupSnapshot); null otherwise.</summary>
    public string? Group { get; init; }

    /// <summary>Whether the image is encrypted; the same for a subvolume and its snapshots.</summary>
    public bool Encrypted { get; init; }

    /// <summary>An encrypted subvolume's key, "loaded" or "unloaded"; null for an unencrypted image or a snapshot.</summary>
    public string? Key { get; init; }

    public const string SubvolumeType = "subvolume";
    public const string SnapshotType = "snapshot";

    public static readonly Listing<ImageRow> Listing = new(
        [
            new("name", row => row.Name),
            new("type", row => row.Type),
            new("subvolume", row => row.Subvolume),
            new("snapshot", row => row.Snapshot),
            new("guid", row => row.Guid),
            new("size", row => row.Size),
            new("referenced", row => row.Referenced),
            new("exclusive", row => row.Exclusive),
            new("filesystem", row => row.FileSystem),
            new("provisioning", row => row.Provisioning is { } provisioning ? ProvisioningNames.Format(provisioning) : null),
            new("snapshots", row => row.Snapshots),
            new("created", row => row.Created),
            new("mountpoint", row => row.MountPoint),
            new("origin_snapshot", row => row.OriginSnapshot),
            new("written_since_snapshot", row => row.WrittenSinceSnapshot),
            new("creator", row => row.Creator),
            new("base_for", row => row.BaseFor),
            new("group", row => row.Group),
            new("encrypted", row => row.Encrypted),
            new("key", row => row.Key),
        ],
        SubvolumeColumns);

    public static IReadOnlyList<string> SubvolumeColumns => ["name", "size", "referenced", "exclusive", "filesystem", "provisioning", "snapshots", "mountpoint", "encrypted", "key"];

    public static IReadOnlyList<string> SnapshotColumns => ["name", "size", "referenced", "exclusive", "filesystem", "created", "mountpoint", "base_for"];

    public static IReadOnlyList<string> AllColumns => ["name", "type", "size", "referenced", "exclusive", "filesystem", "provisioning", "created", "mountpoint"];

    /// <summary>NAME or NAME@SNAP as it is now.</summary>
    public static ImageRow Of(Pool pool, string target) =>
        SnapshotReference.Split(target) is (var subvolume, { } snapshot)
            ? From(pool.GetSnapshot(new SnapshotReference(subvolume, snapshot)))
            : From(pool.GetSubvolume(target));

    public static ImageRow From(SubvolumeInfo subvolume) => new(
        SubvolumeType, subvolume.Name, subvolume.Name, null, subvolume.Guid, subvolume.Size, subvolume.AllocatedBytes, subvolume.Exclusive,
        subvolume.FileSystem, subvolume.Provisioning, subvolume.Snapshots, subvolume.Created, subvolume.MountPoint, subvolume.OriginSnapshot,
        subvolume.WrittenSinceSnapshot, subvolume.Creator, null)
    {
        Encrypted = subvolume.Encrypted,
        Key = subvolume.KeyLoaded is { } loaded ? (loaded ? "loaded" : "unloaded") : null,
    };

    public static ImageRow From(SnapshotInfo snapshot) => new(
        SnapshotType, snapshot.FullName, snapshot.Subvolume, snapshot.Name, snapshot.Guid, snapshot.Size, snapshot.AllocatedBytes, snapshot.Exclusive,
        snapshot.FileSystem, null, null, snapshot.Created, snapshot.MountPoint, null, null, snapshot.Creator, snapshot.BaseFor)
    {
        Group = snapshot.Group,
    };
}
