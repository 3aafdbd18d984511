using Subvol.Names;

namespace Subvol.Policies;

/// <summary>A [section] of the policy file as written, before its templates are applied.</summary>
internal sealed class PolicySection(string name, int line, bool isTemplate)
{
    public const string TemplatePrefix = NameRules.TemplatePrefix;

    /// <summary>The subvolume name or glob, or for a template its name without the prefix.</summary>
    public string Name { get; } = name;

    public int Line { get; } = line;

    public bool IsTemplate { get; } = isTemplate;

    public List<PolicyEntry> Entries { get; } = [];

    public string Header => IsTemplate ? $"[{TemplatePrefix}{Name}]" : $"[{Name}]";
}
