namespace Subvol.Accounting;

/// <summary>
/// One image's figures from one reading: bytes allocated to its file (st_blocks), bytes its extent map
/// references, and bytes no other image of the pool shares.
/// </summary>
internal readonly record struct ImageFigures(long Allocated, long Referenced, long Exclusive);
