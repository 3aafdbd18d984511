namespace Subvol.Accounting;

/// <summary>A subvolume or snapshot as its metadata row places it: its name (NAME or NAME@SNAP), kind, size and image.</summary>
internal readonly record struct PoolImage(string Name, bool IsSnapshot, long Size, string Path);
