using Subvol.Errors;
using Subvol.Stream;

namespace Subvol.Replication;

/// <summary>
/// How replicate runs: whether it snapshots first, compression, whether the destination may discard
/// writes made there since its last snapshot, and the programs that reach a remote pool.
/// </summary>
public sealed record ReplicateOptions(bool TakeSnapshot, StreamCompression Compression, string SshProgram = "ssh", string RemoteProgram = "subvol", bool Force = false);
