
namespace Subvol.Space;

/// <summary>
/// When the guard acts: below Critical free bytes it stops thin subvolumes from writing; above
/// Resume it lets them write again. Null means the pool's own default (its slop, and twice that).
/// </summary>
public sealed record GuardThresholds(long? Critical, long? Resume);
