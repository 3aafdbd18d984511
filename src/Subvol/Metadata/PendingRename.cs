
namespace Subvol.Metadata;

/// <summary>A rename recorded before its files moved, so an interrupted rename can be finished.</summary>
internal sealed record PendingRename(long Id, string OldName, string NewName);
