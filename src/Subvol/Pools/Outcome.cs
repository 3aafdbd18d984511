
namespace Subvol.Pools;

/// <summary>What a mutation did, so callers such as CSI can tell a repeat from a change.</summary>
public enum Outcome
{
    Created,
    AlreadyExisted,
    Deleted,
    AlreadyGone,
    Changed,
    Unchanged,
}
