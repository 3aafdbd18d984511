
namespace Subvol.Pools;

/// <summary>
/// A pool this machine knows: its directory and, for a file-backed pool, the image that holds it.
/// An exported pool stays known, so that 'subvol pool import PATH' still finds its image.
/// </summary>
public sealed record KnownPool(string Path, string? Image, bool Exported = false)
{
    /// <summary>
    /// "imported", "exported", "missing" when the pool should be here but its metadata is not (not mounted after a
    /// reboot), or "failed" when its filesystem fails every access (shut down after an error).
    /// </summary>
    public string State
    {
        get
        {
            if (Exported)
            {
                return "exported";
            }

            var layout = new PoolLayout(Path);
            return FailedFileSystem.Probe(layout) is not null ? "failed" : File.Exists(layout.Database) ? "imported" : "missing";
        }
    }
}
