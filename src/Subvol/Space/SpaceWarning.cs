using Subvol.Errors;

namespace Subvol.Space;

/// <summary>A pool running short of space: what is wrong, and what to do before writes fail.</summary>
public sealed record SpaceWarning(string Message, Remedy Remedy);
