using Subvol.Linux;

namespace Subvol.Accounting;

/// <summary>
/// Works out referenced and exclusive bytes from extent maps. An extent without the SHARED flag
/// is exclusive; a shared one is exclusive only if no other image of the pool maps the same
/// physical bytes (it may be shared with a file outside the pool, or with itself).
/// </summary>
internal static class SharingCalculator
{
    public static (Dictionary<string, (long Referenced, long Exclusive)> PerImage, long Allocated) Compute(IReadOnlyDictionary<string, IReadOnlyList<Extent>> maps)
    {
        var sharedRanges = new List<(long Start, long End, string Owner)>();
        var result = new Dictionary<string, (long Referenced, long Exclusive)>();
        long allocated = 0;
        foreach (var (name, extents) in maps)
        {
            long referenced = 0, exclusive = 0;
            foreach (var extent in extents)
            {
                if ((extent.Flags & (ExtentFlags.DelayedAllocation | ExtentFlags.Unknown)) != 0 || extent.Length <= 0)
                {
                    continue;
                }

                referenced += extent.Length;
                if ((extent.Flags & ExtentFlags.Shared) == 0)
                {
                    exclusive += extent.Length;
                    allocated += extent.Length;
                }
                else
                {
                    sharedRanges.Add((extent.Physical, extent.Physical + extent.Length, name));
                }
            }

            result[name] = (referenced, exclusive);
        }

        // Sweep the shared physical ranges: a stretch held by one image only is still exclusive to it.
        var events = new List<(long Position, int Delta, string Owner)>(sharedRanges.Count * 2);
        foreach (var (start, end, owner) in sharedRanges)
        {
            events.Add((start, +1, owner));
            events.Add((end, -1, owner));
        }

        events.Sort((left, right) => left.Position != right.Position ? left.Position.CompareTo(right.Position) : left.Delta.CompareTo(right.Delta));
        var holders = new Dictionary<string, int>();
        long previous = 0;
        foreach (var (position, delta, owner) in events)
        {
            var length = position - previous;
            if (length > 0 && holders.Count > 0)
            {
                allocated += length;
                if (holders.Count == 1)
                {
                    var only = holders.Keys.First();
                    var (referenced, exclusive) = result[only];
                    result[only] = (referenced, exclusive + length);
                }
            }

            previous = position;
            holders[owner] = holders.GetValueOrDefault(owner) + delta;
            if (holders[owner] == 0)
            {
                holders.Remove(owner);
            }
        }

        return (result, allocated);
    }
}
