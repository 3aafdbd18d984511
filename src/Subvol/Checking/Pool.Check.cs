using Subvol.Checking;
using Subvol.Metadata;
using Subvol.Pools;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>Finds disagreements between metadata, files and the kernel; with repair, fixes every one that has a safe fix.</summary>
    public CheckReport Check(bool repair) => new PoolCheck(_session, _space).Run(repair, RecoveredFreezes, FinishRenames);

    /// <summary>
    /// When the pool's database is missing or damaged, moves it aside and rebuilds it from the images'
    /// identities, and says what came back; null when the database is sound (or the path is no pool).
    /// </summary>
    public static CheckReport? RebuildDamagedMetadata(string path) => PoolCheck.RebuildDamagedMetadata(path);

    // Tests plant inconsistencies through these.
    internal PoolDatabase Database => _session.Database;

    internal PoolLayout Layout => _session.Layout;
}
