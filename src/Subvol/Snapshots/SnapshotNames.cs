using System.Globalization;

namespace Subvol.Snapshots;

/// <summary>Names for snapshots the user did not name: a UTC timestamp that sorts in time order.</summary>
internal static class SnapshotNames
{
    public static string Timestamp(DateTimeOffset now, Func<string, bool> taken)
    {
        var name = now.UtcDateTime.ToString("yyyy-MM-dd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
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
}
