
namespace Subvol.Space;

/// <summary>
/// Guaranteed: the image is allocated at creation and the pool reserves the copy-on-write headroom
/// its snapshots and clones create, so it can always be written to its full size. Thin: allocated
/// on write, admitted up to the pool's overcommit ratio.
/// </summary>
public enum Provisioning
{
    Guaranteed,
    Thin,
}
