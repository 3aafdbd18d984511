namespace Subvol;

/// <summary>A subvolume as front ends show it: its record plus what the machine says now.</summary>
public sealed record SubvolumeInfo(
    string Name,
    Guid Guid,
    long Size,
    string FileSystem,
    DateTimeOffset Created,
    string? MountPoint,
    long AllocatedBytes,
    int Snapshots,
    Guid? OriginSnapshot,
    Provisioning Provisioning)
{
    /// <summary>Bytes no other image of the pool shares (what deleting it frees); filled in by listings, which read every extent map.</summary>
    public long? Exclusive { get; init; }
}
