
namespace Subvol.Subvolumes;

/// <summary>
/// Space of a subvolume where it is mounted or published: bytes and inodes of its filesystem, or,
/// for a raw block device, only its size (what is inside belongs to its user).
/// </summary>
public sealed record MountUsage(long TotalBytes, long? AvailableBytes, long? UsedBytes, long? TotalInodes, long? FreeInodes);
