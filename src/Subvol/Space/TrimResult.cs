
namespace Subvol.Space;

/// <summary>What a trim did: bytes the filesystem discarded, and host bytes the image gave back.</summary>
public sealed record TrimResult(long Discarded, long Returned);
