namespace Subvol.Policies;

/// <summary>An automatic snapshot as retention sees it: its name and when it was taken.</summary>
public sealed record DatedSnapshot(string Name, DateTimeOffset Created);
