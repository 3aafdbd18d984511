namespace Subvol;

/// <summary>A pool's space and contents, as 'subvol pool status' shows them.</summary>
public sealed record PoolStatus(
    string Path,
    string? Image,
    string HostFileSystem,
    long Size,
    long Used,
    long Available,
    int Subvolumes,
    int Snapshots,
    int Mounted);
