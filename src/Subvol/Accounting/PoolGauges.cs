namespace Subvol.Accounting;

/// <summary>
/// A pool's figures for monitoring, read fresh from the pool: its size, what new allocations may
/// still use, what guaranteed subvolumes hold in reserve, and each subvolume's figures.
/// </summary>
public sealed record PoolGauges(string Pool, long Size, long Used, long Available, long Reserved, int Snapshots, IReadOnlyList<VolumeGauges> Volumes)
{
    /// <summary>Reads every figure from the pool: its status, the extent maps' usage and the snapshots' times.</summary>
    public static PoolGauges Read(Pool pool)
    {
        ArgumentNullException.ThrowIfNull(pool);
        var status = pool.Status();
        var images = pool.Usage().Images.Where(image => !image.IsSnapshot).ToDictionary(image => image.Name, StringComparer.Ordinal);
        var snapshots = pool.ListSnapshots().ToLookup(snapshot => snapshot.Subvolume, StringComparer.Ordinal);
        var volumes = pool.SubvolumeNames()
            .Order(StringComparer.Ordinal)
            .Where(images.ContainsKey)
            .Select(name => new VolumeGauges(
                name,
                images[name].Size,
                images[name].Referenced,
                images[name].Exclusive,
                snapshots[name].Count(),
                snapshots[name].Select(snapshot => (DateTimeOffset?)snapshot.Created).Max())
            {
                LastFreeze = snapshots[name].Where(snapshot => snapshot.Frozen is not null).MaxBy(snapshot => snapshot.Created)?.Frozen,
            })
            .ToList();
        return new PoolGauges(status.Path, status.Size, status.Used, status.Available, status.Reserved, status.Snapshots, volumes);
    }
}
