namespace Subvol.Policies;

/// <summary>
/// Which automatic snapshots go to a target, in order: every one newer than the newest snapshot both sides hold
/// that the target's retention will keep, as syncoid sends every snapshot by default, so a target that was away
/// for a day still gets that day's hourlies. The decision is made on the source, with the source's clock.
/// </summary>
internal static class TargetSeries
{
    /// <param name="local">The source's snapshots of the subvolume, oldest first, automatic and manual.</param>
    /// <param name="onTarget">The GUIDs of the target's snapshots of the subvolume; null when it has no such subvolume.</param>
    /// <param name="targetAutomatic">The target's automatic snapshots, dated by the source's clock.</param>
    public static IReadOnlyList<PolicySnapshot> Select(
        IReadOnlyList<PolicySnapshot> local, IReadOnlySet<Guid>? onTarget, IReadOnlyList<DatedSnapshot> targetAutomatic, Retention retention, DateTimeOffset now)
    {
        var common = onTarget is null ? null : local.LastOrDefault(snapshot => onTarget.Contains(snapshot.Guid));
        var candidates = local
            .Where(snapshot => snapshot.IsAutomatic && (common is null || snapshot.Created > common.Created) && (onTarget is null || !onTarget.Contains(snapshot.Guid)))
            .ToList();
        if (candidates.Count == 0)
        {
            return [];
        }

        var after = targetAutomatic.Concat(candidates.Select(snapshot => snapshot.Dated)).OrderBy(snapshot => snapshot.Created).ToList();
        var kept = RetentionRules.Apply(after, now, retention).Keep.Select(snapshot => snapshot.Name).ToHashSet(StringComparer.Ordinal);
        // The newest is always kept by the rules; it is named here too, so a paused retention still sends it.
        return candidates.Where(snapshot => kept.Contains(snapshot.Name) || snapshot == candidates[^1]).ToList();
    }
}
