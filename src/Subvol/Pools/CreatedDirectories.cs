namespace Subvol.Pools;

/// <summary>
/// The directories one command made, so that a refused command removes exactly those, deepest first and only
/// while they are empty, and never a directory that was there before it.
/// </summary>
internal sealed class CreatedDirectories
{
    private readonly List<string> _made = [];

    /// <summary>Creates the directory with any missing parents, remembering which of them did not exist.</summary>
    public void Create(string path)
    {
        var missing = new List<string>();
        for (var directory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)); directory is not null && !Directory.Exists(directory); directory = Path.GetDirectoryName(directory))
        {
            missing.Add(directory);
        }

        Directory.CreateDirectory(path);
        missing.Reverse();
        _made.AddRange(missing);
    }

    /// <summary>Best effort, as it runs while another error is on its way to the user: a directory it cannot remove stays.</summary>
    public void RemoveEmpty()
    {
        for (var index = _made.Count - 1; index >= 0; index--)
        {
            try
            {
                if (Directory.Exists(_made[index]) && !Directory.EnumerateFileSystemEntries(_made[index]).Any())
                {
                    Directory.Delete(_made[index]);
                }
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Left for the user; the error that made the command stop is the one worth reporting.
            }
        }
    }
}
