using System.Globalization;
using System.Text.RegularExpressions;

namespace Subvol.Snapshots;

/// <summary>Names for snapshots the user did not name: a UTC timestamp that sorts in time order, with a prefix for replicate's own.</summary>
internal static partial class SnapshotNames
{
    /// <summary>Replicate's own snapshots are named sync-TIMESTAMP, so that it can tell them from every other snapshot.</summary>
    public const string SyncPrefix = "sync-";

    public static string Timestamp(DateTimeOffset now, Func<string, bool> taken, string prefix = "")
    {
        var name = prefix + now.UtcDateTime.ToString("yyyy-MM-dd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
        if (!taken(name))
        {
            return name;
        }

        // Two snapshots within one second get a counter rather than a collision.
        for (var counter = 2; ; counter++)
        {
            var candidate = string.Create(CultureInfo.InvariantCulture, $"{name}.{counter}");
            if (!taken(candidate))
            {
                return candidate;
            }
        }
    }

    /// <summary>Whether replicate took the snapshot: exactly its name pattern, so a snapshot a person named "sync-before" is never one.</summary>
    public static bool IsSync(string name) => SyncName().IsMatch(name);

    [GeneratedRegex(@"^sync-[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{6}Z(\.[0-9]+)?$", RegexOptions.CultureInvariant)]
    private static partial Regex SyncName();
}
