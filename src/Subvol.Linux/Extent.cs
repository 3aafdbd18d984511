namespace Subvol.Linux;

/// <summary>One mapping of a file's bytes to the device (struct fiemap_extent); offsets and lengths are in bytes.</summary>
public readonly record struct Extent(long Logical, long Physical, long Length, ExtentFlags Flags);
