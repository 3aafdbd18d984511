using Subvol.Errors;
using Subvol.Linux;
using Subvol.Names;

namespace Subvol.Pools;

/// <summary>
/// The machine's list of pools, one per line as "PATH", "PATH&lt;TAB&gt;IMAGE", or either followed by
/// "&lt;TAB&gt;exported", so that a file-backed pool can be imported again after a reboot or an export
/// and a lone pool needs no --pool. Beside it, "default-pool" holds the path of the pool chosen when none is named.
/// </summary>
public sealed class PoolRegistry(string directory)
{
    public const string DefaultDirectory = "/etc/subvol";

    public string FilePath { get; } = Path.Combine(directory, "pools");

    public string DefaultPoolFilePath { get; } = Path.Combine(directory, "default-pool");

    public IReadOnlyList<KnownPool> List() => ErrorTranslation.Guard(Read, FilePath);

    private List<KnownPool> Read()
    {
        if (!File.Exists(FilePath))
        {
            return [];
        }

        var pools = new List<KnownPool>();
        var lines = File.ReadAllLines(FilePath);
        for (var index = 0; index < lines.Length; index++)
        {
            var line = lines[index];
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var pool = Parse(line, index + 1);
            if (pools.Any(known => known.Path == pool.Path))
            {
                throw Unreadable(index + 1, $"lists pool {pool.Path} a second time");
            }

            pools.Add(pool);
        }

        return pools;
    }

    /// <summary>
    /// One line of the list, which its owner may edit by hand: a line that is no entry stops every command that reads the
    /// list, since a command that rewrote the list without it would lose what was meant there.
    /// </summary>
    private KnownPool Parse(string line, int number)
    {
        var fields = line.Split('\t');
        if (fields.Length > 3)
        {
            throw Unreadable(number, $"has {fields.Length} fields separated by tabs, where an entry has at most three");
        }

        var path = AbsolutePath(fields[0], "pool path", number);
        var image = fields.Length > 1 && fields[1].Length > 0 ? AbsolutePath(fields[1], "image", number) : null;
        if (fields.Length > 2 && fields[2] != "exported")
        {
            throw Unreadable(number, $"ends in {Printable.Quote(fields[2])}, where only 'exported' may follow the image");
        }

        return new KnownPool(path, image, fields.Length > 2);
    }

    private string AbsolutePath(string text, string what, int number)
    {
        if (text.Any(char.IsControl))
        {
            throw Unreadable(number, $"has a {what} {Printable.Quote(text)} holding a control character");
        }

        return text.StartsWith('/') ? Normalize(text) : throw Unreadable(number, $"has the {what} {Printable.Quote(text)}, which is not an absolute path");
    }

    private SubvolException Unreadable(int number, string problem) =>
        new(SubvolErrorCode.InvalidArgument, $"line {number} of the machine's pool list {FilePath} {problem}",
            new Remedy.Advice("correct or remove that line: each pool is one line, PATH, a tab and IMAGE (nothing after the tab for a pool on a directory), and a tab and 'exported' after an exported pool"));

    /// <summary>
    /// Refuses a pool whose path or image holds a control character: a tab or a line break would split its line in the
    /// list into fields of other pools, and the rest have no place in a path a person types.
    /// </summary>
    public void RefuseUnlistable(string path, string? image)
    {
        foreach (var (what, text) in new[] { ("pool path", path), ("pool image", image) })
        {
            if (text is not null && text.Any(char.IsControl))
            {
                throw SubvolException.Invalid(
                    $"the {what} {Printable.Quote(text)} holds a control character, which the machine's pool list ({FilePath}), a line per pool, cannot hold; choose one without tabs or line breaks");
            }
        }
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
        if (DefaultPool() == full)
        {
            ClearDefault();
        }

        return true;
    }

    /// <summary>Removes a pool from the list, and as the default, leaving its directory, image and data as they are.</summary>
    public KnownPool Forget(string path)
    {
        var known = Find(path) ?? throw SubvolException.NotFound(
            $"pool {Normalize(path)} is not in this machine's pool list ({FilePath})", new Remedy.ListPools());
        Remove(known.Path);
        return known;
    }

    /// <summary>The pool chosen when a command names none, or null when none is set.</summary>
    public string? DefaultPool() => ErrorTranslation.Guard(
        () =>
        {
            if (!File.Exists(DefaultPoolFilePath) || File.ReadAllText(DefaultPoolFilePath).Trim() is not { Length: > 0 } path)
            {
                return null;
            }

            return path.StartsWith('/') && !path.Any(char.IsControl)
                ? path
                : throw new SubvolException(SubvolErrorCode.InvalidArgument,
                    $"the default pool named in {DefaultPoolFilePath}, {Printable.Quote(path)}, is not an absolute path on one line",
                    new Remedy.Advice("set it again with 'subvol pool default PATH', or clear it with 'subvol pool default --clear'"));
        },
        DefaultPoolFilePath);

    /// <summary>Makes a pool this machine knows, and has not exported, the one chosen when a command names none.</summary>
    public string SetDefault(string path)
    {
        var known = Find(path) ?? throw SubvolException.NotFound(
            $"pool {Normalize(path)} is not in this machine's pool list", new Remedy.AnyOf([new Remedy.CreatePool(Normalize(path)), new Remedy.ImportPool(Normalize(path)), new Remedy.ListPools()]));
        if (known.Exported)
        {
            throw SubvolException.Invalid($"pool {known.Path} is exported", new Remedy.ImportPool(known.Path));
        }

        ErrorTranslation.Guard(
            () =>
            {
                WriteAtomically(DefaultPoolFilePath, known.Path + "\n");
            },
            DefaultPoolFilePath);
        return known.Path;
    }

    /// <summary>Says whether there was a default pool to clear.</summary>
    public bool ClearDefault() => ErrorTranslation.Guard(
        () =>
        {
            if (!File.Exists(DefaultPoolFilePath))
            {
                return false;
            }

            File.Delete(DefaultPoolFilePath);
            return true;
        },
        DefaultPoolFilePath);

    public static string Normalize(string path) => Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));

    private void Write(IEnumerable<KnownPool> pools) => ErrorTranslation.Guard(() => WriteLines(pools), FilePath);

    private void WriteLines(IEnumerable<KnownPool> pools)
    {
        var lines = pools.OrderBy(pool => pool.Path, StringComparer.Ordinal)
            .Select(pool => pool.Path + "\t" + pool.Image + (pool.Exported ? "\texported" : ""));
        string[] all = ["# Pools known to subvol: PATH<TAB>IMAGE (empty for a pool on a directory)[<TAB>exported]", .. lines];
        WriteAtomically(FilePath, string.Join('\n', all) + "\n");
    }

    /// <summary>Replaces a file of the machine's pool list in one rename, so a crash leaves the old one or the new; made 0600, as a pool's own state is.</summary>
    private static void WriteAtomically(string path, string content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var temporary = path + ".new";
        File.Delete(temporary);
        using (var directory = ConfinedDirectory.Open(Path.GetDirectoryName(path)!))
        using (var file = directory.CreateFile(Path.GetFileName(temporary), PoolFiles.PrivateFileMode))
        {
            RandomAccess.Write(file, System.Text.Encoding.UTF8.GetBytes(content), 0);
        }

        File.Move(temporary, path, overwrite: true);
    }
}
