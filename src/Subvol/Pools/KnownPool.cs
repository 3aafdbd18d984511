namespace Subvol;

/// <summary>A pool this machine knows: its directory and, for a file-backed pool, the image that holds it.</summary>
public sealed record KnownPool(string Path, string? Image);
