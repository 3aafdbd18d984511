
namespace Subvol.Replication;

/// <summary>An interrupted receive that can be resumed: 'subvol receive --resume-token NAME' prints its token.</summary>
public sealed record PartialReceiveInfo(string Subvolume, string Snapshot, Guid TargetGuid, Guid? BaseGuid, long ImageSize, long ConfirmedOffset);
