using Subvol.Errors;
using Subvol.Names;
using Subvol.Snapshots;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>
    /// Snapshots by subvolume and name, either of which may be left out, without the per-image usage
    /// that <see cref="ListSnapshots"/> computes from every extent map; for callers that poll often.
    /// </summary>
    public IReadOnlyList<SnapshotInfo> FindSnapshots(string? subvolume = null, string? snapshot = null)
    {
        if (subvolume is not null && (NameRules.Problem(subvolume) is not null || _database.FindSubvolume(subvolume) is null))
        {
            return [];
        }

        return _database.ListSnapshots(subvolume)
            .Where(record => snapshot is null || record.Name == snapshot)
            .Select(Describe)
            .ToList();
    }
}
