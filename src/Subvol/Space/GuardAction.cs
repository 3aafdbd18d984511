
namespace Subvol.Space;

/// <summary>One thing the guard did, or could not do, and why.</summary>
public sealed record GuardAction(string Subvolume, string MountPoint, string Action, string Reason);
