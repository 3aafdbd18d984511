using Subvol.Pools;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>
    /// Whether a pool is there to be opened at <paramref name="path"/>: its metadata exists, which for a
    /// file-backed pool means its image is mounted. A cheap test for callers that poll, such as a readiness probe.
    /// </summary>
    public static bool Exists(string path) => File.Exists(new PoolLayout(path).Database);
}
