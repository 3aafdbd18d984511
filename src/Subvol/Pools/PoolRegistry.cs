using Subvol.Errors;

namespace Subvol.Pools;

/// <summary>
/// The machine's list of pools, one per line as "PATH", "PATH&lt;TAB&gt;IMAGE", or either followed by
/// "&lt;TAB&gt;exported", so that a file-backed pool can be imported again after a reboot or an export
/// and a lone pool needs no --pool.
/// </summary>
public sealed class PoolRegistry(string directory)
{
    public const string DefaultDirectory = "/etc/subvol";

    public string FilePath { get; } = Path.Combine(directory, "pools");

    public IReadOnlyList<KnownPool> List() => ErrorTranslation.Guard(Read, FilePath);

    private List<KnownPool> Read()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        var pools = new List<KnownPool>();
        foreach (var line in File.ReadAllLines(FilePath))
        {
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var fields = line.Split('\t');
            pools.Add(new KnownPool(fields[0], fields.Length > 1 && fields[1].Length > 0 ? fields[1] : null, fields.Length > 2 && fields[2] == "exported"));
        }

        return pools;
    }

    public KnownPool? Find(string path)
    {
        var full = Normalize(path);
        return List().FirstOrDefault(pool => pool.Path == full);
    }

    public void Add(KnownPool pool)
    {
        var pools = List().Where(known => known.Path != pool.Path).Append(pool);
        Write(pools);
    }

    /// <summary>The pools in use here, which are the ones a command may choose without --pool.</summary>
    public IReadOnlyList<KnownPool> Imported() => List().Where(pool => !pool.Exported).ToList();

    public bool Remove(string path)
    {
        var full = Normalize(path);
        var pools = List();
        if (pools.All(pool => pool.Path != full))
        {
            return false;
        }

        Write(pools.Where(pool => pool.Path != full));
        return true;
    }

    public static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private void Write(IEnumerable<KnownPool> pools) => ErrorTranslation.Guard(() => WriteLines(pools), FilePath);

    private void WriteLines(IEnumerable<KnownPool> pools)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FilePath)!);
        var lines = pools.OrderBy(pool => pool.Path, StringComparer.Ordinal)
            .Select(pool => pool.Path + "\t" + pool.Image + (pool.Exported ? "\texported" : ""));
        var temporary = FilePath + ".new";
        File.WriteAllLines(temporary, ["# Pools known to subvol: PATH<TAB>IMAGE (empty for a pool on a directory)[<TAB>exported]", .. lines]);
        File.Move(temporary, FilePath, overwrite: true);
    }
}
