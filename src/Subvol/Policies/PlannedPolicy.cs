using Subvol.Errors;

namespace Subvol.Policies;

/// <summary>
/// One policy as the pool stands now: the pool it is about (null when no default pool could be
/// chosen), why that pool could not be read, the subvolumes it governs, and the ones it matches that
/// an earlier policy governs instead.
/// </summary>
public sealed record PlannedPolicy(Policy Policy, string? Pool, SubvolException? PoolProblem, IReadOnlyList<string> Subvolumes, IReadOnlyList<ShadowedMatch> Shadowed);
