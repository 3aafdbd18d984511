
namespace Subvol.Replication;

/// <summary>How far a send or receive has come, in bytes of image data.</summary>
public readonly record struct ReplicationProgress(long BytesDone, long BytesTotal);
