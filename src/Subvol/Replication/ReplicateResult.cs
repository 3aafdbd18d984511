
namespace Subvol.Replication;

/// <summary>What replicate did, step by step, for the person who asked.</summary>
public sealed record ReplicateResult(IReadOnlyList<string> Steps, long DataBytes);
