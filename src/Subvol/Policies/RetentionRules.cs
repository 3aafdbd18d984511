using System.Globalization;

namespace Subvol.Policies;

/// <summary>
/// btrbk's retention, on one series of automatic snapshots (of one subvolume, or on one target):
/// keep the newest, every snapshot younger than the minimum, and for each interval with a count N
/// the first snapshot of each of the N most recent buckets that hold one; prune the rest. Buckets
/// are counted only where they hold a snapshot, so a week without snapshots prunes nothing the
/// counts would not.
/// </summary>
public static class RetentionRules
{
    public const string NewestReason = "newest";

    public const string MinimumReason = "keep_min";

    public const string PausedReason = "paused";

    /// <summary>How far in the future a snapshot may be dated before the clock is taken to have gone backwards (clocks of a few seconds' skew are normal).</summary>
    public static readonly TimeSpan FutureTolerance = TimeSpan.FromMinutes(1);

    public static RetentionDecision Apply(IReadOnlyList<DatedSnapshot> snapshots, DateTimeOffset now, Retention retention)
    {
        var ordered = snapshots.OrderBy(snapshot => snapshot.Created).ThenBy(snapshot => snapshot.Name, StringComparer.Ordinal).ToList();
        // By position, so that two records that happen to be equal still count as two snapshots.
        var reasons = ordered.Select(_ => new List<string>()).ToArray();
        if (ordered.Count > 0)
        {
            reasons[^1].Add(NewestReason);
        }

        for (var index = 0; index < ordered.Count; index++)
        {
            if (now - ordered[index].Created < retention.Minimum)
            {
                reasons[index].Add(MinimumReason);
            }
        }

        foreach (var interval in IntervalNames.FinestFirst)
        {
            var count = retention.Count(interval);
            if (count <= 0)
            {
                continue;
            }

            // Buckets newest first, each represented by its oldest snapshot (the list is ordered oldest first).
            var firsts = Enumerable.Range(0, ordered.Count)
                .GroupBy(index => SnapshotSchedule.BucketStart(interval, ordered[index].Created, retention.FrequentPeriod))
                .OrderByDescending(bucket => bucket.Key)
                .Take(count)
                .Select(bucket => bucket.First());
            foreach (var first in firsts)
            {
                reasons[first].Add(IntervalNames.Label(interval));
            }
        }

        var future = ordered.LastOrDefault(snapshot => snapshot.Created - now > FutureTolerance);
        string? paused = null;
        if (future is not null)
        {
            // A snapshot from the future means the clock went backwards: every age is wrong, so nothing is pruned until the clock passes it.
            paused = $"snapshot {future.Name} is dated {Utc(future.Created)}, after now ({Utc(now)}): the clock may have gone backwards, "
                     + "so pruning waits until the clock passes that date (or the snapshot is destroyed by hand)";
            foreach (var unkept in reasons.Where(list => list.Count == 0))
            {
                unkept.Add(PausedReason);
            }
        }

        var keep = Enumerable.Range(0, ordered.Count).Where(index => reasons[index].Count > 0)
            .Select(index => new RetainedSnapshot(ordered[index].Name, ordered[index].Created, reasons[index]))
            .ToList();
        var prune = Enumerable.Range(0, ordered.Count).Where(index => reasons[index].Count == 0).Select(index => ordered[index]).ToList();
        return new RetentionDecision(keep, prune, paused);
    }

    private static string Utc(DateTimeOffset time) => time.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
