namespace Subvol.Policies;

/// <summary>A subvolume that a policy matches but does not govern, because <paramref name="GovernedBy"/>, earlier in the file, matches it too.</summary>
public sealed record ShadowedMatch(string Subvolume, Policy GovernedBy);
