using Subvol.Pools;

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

    public void Save(Pools.PoolFiles files, string directory)
    {
        files.CreateDirectory(directory);
        files.WriteState(Path.Combine(directory, Subvolume), $"{How}\n{MountPoint}\n");
    }

    public void Delete(Pools.PoolFiles files, string directory) => files.Delete(Path.Combine(directory, Subvolume));

    public static IReadOnlyList<GuardState> ReadAll(Pools.PoolFiles files, string directory)
    {
        // A link in place of the directory is reported by check; state is read only from the real one.
        if (files.Status(directory).Kind != Linux.EntryKind.Directory)
        {
            return [];
        }

        return files.List(directory)
            .Where(name => !name.EndsWith(Pools.PoolFiles.StateTemporarySuffix, StringComparison.Ordinal) && files.Status(Path.Combine(directory, name)).Kind == Linux.EntryKind.File)
            .Select(name => (Name: name, Lines: files.ReadLines(Path.Combine(directory, name)) ?? []))
            .Where(entry => entry.Lines.Length >= 2)
            .Select(entry => new GuardState(entry.Name, entry.Lines[1], entry.Lines[0]))
            .ToList();
    }
}
