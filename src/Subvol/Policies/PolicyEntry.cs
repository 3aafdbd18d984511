namespace Subvol.Policies;

/// <summary>One "key = value" line of a policy file section, with the key in its canonical spelling (aliases resolved).</summary>
internal sealed record PolicyEntry(int Line, string Key, string Value);
