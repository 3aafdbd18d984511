
namespace Subvol.Pools;

/// <summary>
/// A pool this machine knows: its directory and, for a file-backed pool, the image that holds it.
/// An exported pool stays known, so that 'subvol pool import PATH' still finds its image.
/// </summary>
public sealed record KnownPool(string Path, string? Image, bool Exported = false)
{
    /// <summary>"imported", "exported", or "missing" when the pool should be here but its metadata is not (not mounted after a reboot).</summary>
    public string State => Exported ? "exported" : File.Exists(new PoolLayout(Path).Database) ? "imported" : "missing";
}
