namespace Subvol.Accounting;

/// <summary>A subvolume or snapshot as its metadata row places it: its name (NAME or NAME@SNAP), kind, size and image.</summary>
/// <param name="Directory">The directory that holds the image, one string for all the snapshots of a subvolume.</param>
internal readonly record struct PoolImage(string Name, bool IsSnapshot, long Size, string Directory, string FileName)
{
    /// <summary>Made when asked for: a listing whose figures are stored needs the path of no snapshot.</summary>
    public string Path => System.IO.Path.Join(Directory, FileName);
}
