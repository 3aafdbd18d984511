
namespace Subvol.Replication;

/// <summary>What a send shipped: image bytes read and sent as data, bytes sent as holes, and the stream's own size.</summary>
public sealed record SendResult(long DataBytes, long HoleBytes, long StreamBytes, string Digest);
