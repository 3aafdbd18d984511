namespace Subvol;

/// <summary>
/// A pool's space and contents, as 'subvol pool status' shows them. Available is what new
/// allocations may use: the host's free space less the guaranteed reservations and the slop.
/// </summary>
public sealed record PoolStatus(
    string Path,
    string? Image,
    string HostFileSystem,
    long Size,
    long Used,
    long Reserved,
    long Slop,
    long Available,
    long Provisioned,
    double Overcommit,
    int Subvolumes,
    int Snapshots,
    int Mounted);
