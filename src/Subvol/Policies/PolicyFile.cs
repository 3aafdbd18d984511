using Subvol.Errors;

namespace Subvol.Policies;

/// <summary>
/// The policy file (/etc/subvol/policy.conf by default): its policies in the order the file gives
/// them. When two policies match the same subvolume, the first one governs it.
/// </summary>
public sealed record PolicyFile(string Path, IReadOnlyList<Policy> Policies)
{
    public const string DefaultPath = "/etc/subvol/policy.conf";

    /// <summary>The environment variable that names the policy file when the command line does not.</summary>
    public const string PathVariable = "SUBVOL_CONFIG";

    /// <summary>Reads and checks the file; a missing or unreadable file is an error naming it.</summary>
    public static PolicyFile Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception exception) when (exception is FileNotFoundException or DirectoryNotFoundException)
        {
            throw SubvolException.NotFound($"the policy file {path} does not exist",
                new Remedy.Advice("write it (docs/policies.md describes the format, with an example), or name another policy file"));
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw ErrorTranslation.Translate(exception, path);
        }

        return Parse(text, path);
    }

    /// <summary>Checks the text of a policy file; every error is invalid input whose message starts with "PATH:LINE:".</summary>
    public static PolicyFile Parse(string text, string path) => new(path, new PolicyFileParser(path).Parse(text));

    /// <summary>The policy file to read: the one named on the command line, else $SUBVOL_CONFIG, else <see cref="DefaultPath"/>.</summary>
    public static string Locate(string? option)
    {
        if (!string.IsNullOrEmpty(option))
        {
            return System.IO.Path.GetFullPath(option);
        }

        return Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } variable ? System.IO.Path.GetFullPath(variable) : DefaultPath;
    }

    /// <summary>Every policy that matches a subvolume of <paramref name="pool"/>, in file order; the first governs it.</summary>
    public IReadOnlyList<Policy> Matching(string pool, string subvolume, string? defaultPool) =>
        Policies.Where(policy => policy.Matches(pool, subvolume, defaultPool)).ToList();

    /// <summary>The policy that governs a subvolume of <paramref name="pool"/> (the first that matches it), or null when none does.</summary>
    public Policy? For(string pool, string subvolume, string? defaultPool) =>
        Policies.FirstOrDefault(policy => policy.Matches(pool, subvolume, defaultPool));
}
