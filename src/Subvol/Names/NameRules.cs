using Subvol.Errors;

namespace Subvol.Names;

/// <summary>The one rule for subvolume, snapshot and pool-object names, so every front end refuses the same things.</summary>
public static class NameRules
{
    public const int MaximumLength = 100;

    /// <summary>The prefix of template sections in the policy file, which names cannot take.</summary>
    public const string TemplatePrefix = "template:";

    public const string AllowedCharacters = "letters A-Z a-z, digits 0-9, and . _ - + :";

    /// <summary>Returns null when the name is acceptable, else the rule it broke.</summary>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "a name cannot be empty";
        }

        if (name.Length > MaximumLength)
        {
            return $"a name can be at most {MaximumLength} characters (this one has {name.Length})";
        }

        if (name is "." or ".." || name.Contains(".."))
        {
            return "a name cannot contain '..'";
        }

        if (name.Contains('/'))
        {
            return "a name cannot contain '/'";
        }

        if (name[0] is '-' or '.')
        {
            return "a name cannot start with '-' or '.'";
        }

        // Policy files read a section [template:NAME] as a template, so no subvolume may be named so.
        if (name.StartsWith(TemplatePrefix, StringComparison.OrdinalIgnoreCase))
        {
            return $"a name cannot start with '{TemplatePrefix}', which policy files reserve for templates";
        }

        if (name.EndsWith(".img", StringComparison.Ordinal) || name.EndsWith(".partial", StringComparison.Ordinal))
        {
            return "a name cannot end in '.img' or '.partial', which the pool uses for its files";
        }

        foreach (var character in name)
        {
            if (!IsAllowed(character))
            {
                return $"a name can contain only {AllowedCharacters}; {Printable.Quote(character.ToString())} is not allowed";
            }
        }

        return null;
    }

    /// <summary>Whether an argument is a path rather than a name: it holds a '/' or starts with '.', which no name can.</summary>
    public static bool IsPath(string argument) => argument.Contains('/') || argument.StartsWith('.');

    public static void Validate(string? name, string what)
    {
        var problem = Problem(name);
        if (problem is not null)
        {
            throw SubvolException.Invalid($"invalid {what} name {Printable.Quote(name ?? "")}: {problem}");
        }
    }

    private static bool IsAllowed(char character) =>
        character is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or (>= '0' and <= '9') or '.' or '_' or '-' or '+' or ':';
}
