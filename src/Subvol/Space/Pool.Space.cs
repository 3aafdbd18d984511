using Subvol.Space;

namespace Subvol;

public sealed partial class Pool
{
    /// <summary>
    /// One pass of the space guard: under the critical threshold it remounts mounted thin subvolumes
    /// (and, during a shortfall, guaranteed ones) read-only or freezes them; over the resume threshold it undoes that.
    /// </summary>
    /// <param name="canHoldFreezes">True for a long-running guard: a freeze lasts only while its process lives.</param>
    public IReadOnlyList<GuardAction> GuardOnce(GuardThresholds thresholds, bool canHoldFreezes) => new SpaceGuard(_session, _space).GuardOnce(thresholds, canHoldFreezes);

    /// <summary>Runs fstrim in a mounted thin subvolume: the loop device turns discards into holes in its image.</summary>
    public TrimResult Trim(string name) => new Trimmer(_session).Trim(name);
}
