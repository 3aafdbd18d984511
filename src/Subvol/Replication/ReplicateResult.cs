
namespace Subvol.Replication;

/// <summary>What replicate did to <paramref name="Destination"/>, step by step, and how much image data it sent.</summary>
public sealed record ReplicateResult(IReadOnlyList<ReplicatedStep> Steps, long DataBytes, string Destination);
