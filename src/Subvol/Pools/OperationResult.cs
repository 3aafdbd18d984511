
namespace Subvol.Pools;

/// <summary>The outcome of a mutation together with the object it left behind.</summary>
public sealed record OperationResult<T>(Outcome Outcome, T Value);
