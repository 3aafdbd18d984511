namespace Subvol.Space;

/// <summary>
/// What the guard changed, one file per subvolume in POOL/.subvol/guard/, so that it undoes only
/// its own doing, even after a restart.
/// </summary>
internal sealed record GuardState(string Subvolume, string MountPoint, string How)
{
    public const string ReadOnly = "read-only";
    public const string Frozen = "frozen";

    public static string Directory(string metadataDirectory) => Path.Combine(metadataDirectory, "guard");

    public void Save(string directory)
    {
        System.IO.Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, Subvolume), $"{How}\n{MountPoint}\n");
    }

    public void Delete(string directory) => File.Delete(Path.Combine(directory, Subvolume));

    public static IReadOnlyList<GuardState> ReadAll(string directory)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            return [];
        }

        return System.IO.Directory.EnumerateFiles(directory)
            .Select(path => (Name: Path.GetFileName(path), Lines: File.ReadAllLines(path)))
            .Where(entry => entry.Lines.Length >= 2)
            .Select(entry => new GuardState(entry.Name, entry.Lines[1], entry.Lines[0]))
            .ToList();
    }
}
