namespace Subvol.Cli.Output;

/// <summary>The fields of 'pool status', 'pool list' and 'df', named as their table headings are.</summary>
internal static class PoolRows
{
    public static readonly Listing<PoolStatus> Status = new(
        [
            new("pool", status => status.Path),
            new("host_filesystem", status => status.HostFileSystem),
            new("size", status => status.Size),
            new("used", status => status.Used),
            new("images_used", status => status.ImagesUsed),
            new("reserved", status => status.Reserved),
            new("slop", status => status.Slop),
            new("shortfall", status => status.Shortfall),
            new("available", status => status.Available),
            new("thin_available", status => status.ThinAvailable),
            new("provisioned", status => status.Provisioned),
            new("overcommit", status => status.Overcommit),
            new("subvolumes", status => status.Subvolumes),
            new("snapshots", status => status.Snapshots),
            new("mounted", status => status.Mounted),
            new("image", status => status.Image, status => status.Image is null ? "-" : status.ImageSparse == true ? $"{status.Image} (sparse)" : $"{status.Image} (allocated)"),
            new("image_sparse", status => status.ImageSparse),
        ],
        ["pool", "host_filesystem", "size", "used", "images_used", "reserved", "shortfall", "available", "provisioned", "overcommit", "subvolumes", "snapshots", "mounted", "image"]);

    public static readonly Listing<KnownPool> Known = new(
        [
            new("pool", pool => pool.Path),
            new("image", pool => pool.Image),
            new("state", pool => pool.State),
        ],
        ["pool", "image", "state"]);

    public static readonly Listing<ImageUsage> Usage = new(
        [
            new("name", image => image.Name),
            new("type", image => image.IsSnapshot ? ImageRow.SnapshotType : ImageRow.SubvolumeType),
            new("size", image => image.Size),
            new("referenced", image => image.Referenced),
            new("exclusive", image => image.Exclusive),
            new("shared", image => image.Shared),
        ],
        ["name", "size", "referenced", "exclusive", "shared"]);
}
