namespace Subvol.Policies;

/// <summary>A snapshot that retention keeps, with every reason it is kept ("newest", "keep_min", "hourly", "daily", …).</summary>
public sealed record RetainedSnapshot(string Name, DateTimeOffset Created, IReadOnlyList<string> Reasons);
