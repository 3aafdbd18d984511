using System.Globalization;
using Subvol.Errors;
using Subvol.Names;
using Subvol.Pools;
using Subvol.Replication;

namespace Subvol.Policies;

/// <summary>
/// Reads the policy file's INI-like text: [section] headers, "key = value" lines, '#' comments
/// anywhere on a line. It checks every line first, so that an error names the line it is on, then
/// resolves each section through its templates into a <see cref="Policy"/>.
/// </summary>
internal sealed class PolicyFileParser(string path)
{
    private const string UseTemplate = "use_template";
    private const string Keep = "keep";
    private const string KeepMinimum = "keep_min";
    private const string FrequentPeriod = "frequent_period";
    private const string TakeSnapshots = "autosnap";
    private const string Prune = "autoprune";
    private const string PoolKey = "pool";
    private const string Target = "target";
    private const string TargetKeep = "target_keep";
    private const string TargetKeepMinimum = "target_keep_min";
    private const string BeforeSnapshot = "pre_snapshot";
    private const string AfterSnapshot = "post_snapshot";
    private const string HookTimeout = "hook_timeout";
    private const string PruneUnreplicated = "prune_unreplicated";

    private const int MaximumFrequentMinutes = 24 * 60;

    private static readonly TimeSpan MaximumHookTimeout = TimeSpan.FromHours(24);

    /// <summary>Every key the file takes, and the btrbk spellings that mean the same.</summary>
    private static readonly Dictionary<string, string> CanonicalKeys = BuildKeys();

    private const string GlobCharacters = "*?[]!^";

    private const string NameCharacters = "._-+:";

    private readonly Dictionary<string, PolicySection> _templates = new(StringComparer.Ordinal);

    public IReadOnlyList<Policy> Parse(string text)
    {
        var sections = ReadSections(text);
        var policies = new List<Policy>();
        foreach (var section in sections.Where(section => !section.IsTemplate))
        {
            var policy = Resolve(section);
            var earlier = policies.FirstOrDefault(other => other.SubvolumePattern == policy.SubvolumePattern && other.PoolPath == policy.PoolPath);
            if (earlier is not null)
            {
                throw Error(section.Line, $"{section.Header} repeats the section on line {earlier.Line} for the same pool; merge the two into one section");
            }

            policies.Add(policy);
        }

        return policies;
    }

    private List<PolicySection> ReadSections(string text)
    {
        var sections = new List<PolicySection>();
        PolicySection? current = null;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        int? lastTarget = null;
        var addresses = new HashSet<string>(StringComparer.Ordinal);
        var lines = text.Split('\n');
        for (var index = 0; index < lines.Length; index++)
        {
            var number = index + 1;
            var line = lines[index];
            var comment = line.IndexOf('#');
            line = (comment >= 0 ? line[..comment] : line).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line[0] == '[')
            {
                current = ReadHeader(line, number);
                if (current.IsTemplate && !_templates.TryAdd(current.Name, current))
                {
                    throw Error(number, $"{current.Header} repeats the template on line {_templates[current.Name].Line}; give each template one section");
                }

                sections.Add(current);
                seen.Clear();
                addresses.Clear();
                lastTarget = null;
                continue;
            }

            if (current is null)
            {
                throw Error(number, $"{Printable.Quote(line)} comes before any section; put settings under a [SUBVOLUME], [GLOB] or [template:NAME] header");
            }

            var equals = line.IndexOf('=');
            if (equals < 0)
            {
                throw Error(number, $"{Printable.Quote(line)} is not a setting; write KEY = VALUE, or [NAME] for a section");
            }

            var written = line[..equals].Trim();
            var value = line[(equals + 1)..].Trim();
            if (!CanonicalKeys.TryGetValue(written.ToLowerInvariant(), out var key))
            {
                throw Error(number, $"unknown key {Printable.Quote(written)}; the keys are {string.Join(", ", CanonicalKeys.Keys.Order(StringComparer.Ordinal))}");
            }

            if (value.Length == 0)
            {
                throw Error(number, $"{written} has no value; write {written} = VALUE");
            }

            Check(number, key, written, value);

            // A target may appear many times; a target's retention once per target (or once as the default for targets).
            var slot = key is TargetKeep or TargetKeepMinimum && !current.IsTemplate && lastTarget is { } target ? $"{key}@{target}" : key;
            if (key == Target)
            {
                lastTarget = number;
                if (!addresses.Add(TargetAddress(number, value)))
                {
                    throw Error(number, $"target {value} is named twice in {current.Header}; name each target once");
                }
            }
            else if (!seen.TryAdd(slot, number))
            {
                var what = slot.Contains('@') ? $"{written} of the target on line {lastTarget}" : written;
                throw Error(number, $"{what} is already set on line {seen[slot]}; set it once in {current.Header}");
            }

            current.Entries.Add(new PolicyEntry(number, key, value));
        }

        return sections;
    }

    private PolicySection ReadHeader(string line, int number)
    {
        if (line[^1] != ']')
        {
            throw Error(number, $"{Printable.Quote(line)} is not a section header; write [SUBVOLUME], [GLOB] or [template:NAME] alone on the line");
        }

        var name = line[1..^1].Trim();
        if (name.Length == 0)
        {
            throw Error(number, "a section needs a name; write [SUBVOLUME], [GLOB] or [template:NAME]");
        }

        if (name.StartsWith(PolicySection.TemplatePrefix, StringComparison.Ordinal))
        {
            var template = name[PolicySection.TemplatePrefix.Length..];
            if (TemplateNameProblem(template) is { } problem)
            {
                throw Error(number, $"[{name}] does not name a template: {problem}; write [template:NAME], for example [template:standard]");
            }

            return new PolicySection(template, number, isTemplate: true);
        }

        if (name.StartsWith(PolicySection.TemplatePrefix, StringComparison.OrdinalIgnoreCase))
        {
            throw Error(number, $"[{name}]: templates are written with the prefix in lower case; write [template:{name[PolicySection.TemplatePrefix.Length..]}]");
        }

        if (SubvolumePatternProblem(name) is { } invalid)
        {
            throw Error(number, $"[{name}] is not a subvolume name or glob: {invalid}; write the subvolume's name, a glob such as [home*] or [*], or [template:NAME]");
        }

        return new PolicySection(name, number, isTemplate: false);
    }

    /// <summary>Checks one value where it is written, so that its error names its line; the values are read again when the policy is resolved.</summary>
    private void Check(int line, string key, string written, string value)
    {
        switch (key)
        {
            case UseTemplate:
                _ = TemplateNames(line, value);
                break;
            case Keep or TargetKeep:
                _ = Counts(line, written, value);
                break;
            case KeepMinimum or TargetKeepMinimum:
                _ = Minimum(line, written, value);
                break;
            case FrequentPeriod:
                _ = Period(line, value);
                break;
            case TakeSnapshots or Prune or PruneUnreplicated:
                _ = Boolean(line, written, value);
                break;
            case PoolKey:
                _ = PoolPath(line, value);
                break;
            case Target:
                _ = TargetAddress(line, value);
                break;
            case HookTimeout:
                _ = Timeout(line, value);
                break;
            case BeforeSnapshot or AfterSnapshot:
                break;
            default:
                _ = Count(line, key, value);
                break;
        }
    }

    private Policy Resolve(PolicySection section)
    {
        var settings = new PolicySettings();
        Apply(section, settings, []);
        var retention = new Retention(settings.Counts, settings.Minimum, settings.FrequentPeriod);
        if (settings.TakeSnapshots && retention.Finest is null)
        {
            throw Error(section.Line, $"{section.Header} takes snapshots but keeps none; give counts such as hourly = 24 and daily = 14 (or keep = 24h 14d), "
                                      + "here or in a template it uses, or write autosnap = no");
        }

        var targets = new List<PolicyTarget>();
        foreach (var target in settings.Targets)
        {
            if (settings.Pool is not null && target.Address == settings.Pool)
            {
                throw Error(target.Line, $"target {target.Address} is the pool of {section.Header} itself; name another pool or host");
            }

            var counts = target.Counts ?? settings.TargetCounts;
            var minimum = target.Minimum ?? settings.TargetMinimum;
            targets.Add(new PolicyTarget(target.Address, new Retention(counts ?? settings.Counts, minimum ?? settings.Minimum, settings.FrequentPeriod), target.Line)
            {
                OwnRetention = counts is not null || minimum is not null,
            });
        }

        var hooks = new PolicyHooks(settings.BeforeSnapshot, settings.AfterSnapshot, settings.HookTimeout);
        return new Policy(section.Name, section.Line, settings.Pool, section.Name, settings.TakeSnapshots, settings.Prune, retention, targets, hooks,
            settings.PruneUnreplicated);
    }

    /// <summary>Lays a section over the settings: its templates first, in the order it names them, then its own keys.</summary>
    private void Apply(PolicySection section, PolicySettings settings, List<string> chain)
    {
        foreach (var entry in section.Entries.Where(entry => entry.Key == UseTemplate))
        {
            foreach (var name in TemplateNames(entry.Line, entry.Value))
            {
                if (!_templates.TryGetValue(name, out var template))
                {
                    var known = _templates.Count == 0 ? "the file defines none" : $"the file defines {string.Join(", ", _templates.Keys.Order(StringComparer.Ordinal))}";
                    throw Error(entry.Line, $"unknown template {Printable.Quote(name)} ({known}); define it with a [template:{name}] section");
                }

                if (chain.Contains(name))
                {
                    throw Error(entry.Line, $"templates use each other in a cycle ({string.Join(" -> ", chain.Append(name))}); remove one of these use_template lines");
                }

                Apply(template, settings, [.. chain, name]);
            }
        }

        // A keep string is the whole retention; a count given beside it, or in a later section, replaces its own interval.
        foreach (var entry in section.Entries.Where(entry => entry.Key == Keep))
        {
            settings.Counts = new Dictionary<Interval, int>(Counts(entry.Line, entry.Key, entry.Value));
        }

        foreach (var entry in section.Entries)
        {
            ApplyScalar(entry, settings);
        }

        ApplyTargets(section, settings);
    }

    private void ApplyScalar(PolicyEntry entry, PolicySettings settings)
    {
        switch (entry.Key)
        {
            case KeepMinimum:
                settings.Minimum = Minimum(entry.Line, entry.Key, entry.Value);
                break;
            case FrequentPeriod:
                settings.FrequentPeriod = Period(entry.Line, entry.Value);
                break;
            case TakeSnapshots:
                settings.TakeSnapshots = Boolean(entry.Line, entry.Key, entry.Value);
                break;
            case Prune:
                settings.Prune = Boolean(entry.Line, entry.Key, entry.Value);
                break;
            case PruneUnreplicated:
                settings.PruneUnreplicated = Boolean(entry.Line, entry.Key, entry.Value);
                break;
            case PoolKey:
                settings.Pool = PoolPath(entry.Line, entry.Value);
                break;
            case BeforeSnapshot:
                settings.BeforeSnapshot = entry.Value;
                break;
            case AfterSnapshot:
                settings.AfterSnapshot = entry.Value;
                break;
            case HookTimeout:
                settings.HookTimeout = Timeout(entry.Line, entry.Value);
                break;
            case UseTemplate or Keep or Target or TargetKeep or TargetKeepMinimum:
                break;
            default:
                settings.Counts[CountInterval(entry.Key)] = Count(entry.Line, entry.Key, entry.Value);
                break;
        }
    }

    /// <summary>
    /// A section's target lines replace the targets before them; target_keep and target_keep_min
    /// belong to the target line above them, or, before any target line and anywhere in a
    /// template, to every target without its own.
    /// </summary>
    private void ApplyTargets(PolicySection section, PolicySettings settings)
    {
        List<PolicyTargetSetting>? targets = null;
        foreach (var entry in section.Entries)
        {
            var last = section.IsTemplate ? null : targets?.LastOrDefault();
            switch (entry.Key)
            {
                case Target:
                    targets ??= [];
                    targets.Add(new PolicyTargetSetting(TargetAddress(entry.Line, entry.Value), entry.Line));
                    break;
                case TargetKeep when last is not null:
                    last.Counts = Counts(entry.Line, entry.Key, entry.Value);
                    break;
                case TargetKeep:
                    settings.TargetCounts = Counts(entry.Line, entry.Key, entry.Value);
                    break;
                case TargetKeepMinimum when last is not null:
                    last.Minimum = Minimum(entry.Line, entry.Key, entry.Value);
                    break;
                case TargetKeepMinimum:
                    settings.TargetMinimum = Minimum(entry.Line, entry.Key, entry.Value);
                    break;
            }
        }

        if (targets is not null)
        {
            settings.Targets = targets;
        }
    }

    private List<string> TemplateNames(int line, string value)
    {
        var names = value.Split(',', StringSplitOptions.TrimEntries).ToList();
        foreach (var name in names)
        {
            if (name.Length == 0)
            {
                throw Error(line, $"use_template = {value} has an empty name; write the templates' names separated by commas, such as use_template = standard, offsite");
            }

            if (name.StartsWith(PolicySection.TemplatePrefix, StringComparison.OrdinalIgnoreCase))
            {
                throw Error(line, $"use_template names templates without their prefix; write use_template = {name[PolicySection.TemplatePrefix.Length..]}");
            }

            if (TemplateNameProblem(name) is { } problem)
            {
                throw Error(line, $"{Printable.Quote(name)} is not a template name: {problem}");
            }
        }

        return names;
    }

    private IReadOnlyDictionary<Interval, int> Counts(int line, string written, string value)
    {
        try
        {
            return Retention.Parse(value, Retention.DefaultFrequentPeriod).Counts;
        }
        catch (SubvolException exception)
        {
            throw Error(line, $"{written}: {exception.Message}");
        }
    }

    private TimeSpan Minimum(int line, string written, string value)
    {
        try
        {
            return Retention.ParseMinimum(value);
        }
        catch (SubvolException exception)
        {
            throw Error(line, $"{written}: {exception.Message}");
        }
    }

    private int Count(int line, string key, string value) =>
        Retention.ParseCount(value) ?? throw Error(line, $"{key} = {value} is not a count; write a whole number, such as {key} = 24, or * to keep the first of every {Bucket(CountInterval(key))}");

    private TimeSpan Period(int line, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes is > 0 and <= MaximumFrequentMinutes
            ? TimeSpan.FromMinutes(minutes)
            : throw Error(line, $"frequent_period = {value} is not a number of minutes from 1 to {MaximumFrequentMinutes}; write frequent_period = 15");

    private bool Boolean(int line, string written, string value) => value.ToLowerInvariant() switch
    {
        "yes" or "true" or "on" or "1" => true,
        "no" or "false" or "off" or "0" => false,
        _ => throw Error(line, $"{written} = {value} is neither yes nor no; write {written} = yes or {written} = no"),
    };

    private string PoolPath(int line, string value) =>
        Path.IsPathRooted(value)
            ? PoolRegistry.Normalize(value)
            : throw Error(line, $"pool = {value} is not an absolute path; write the pool's directory from /, such as pool = /srv/pool");

    private string TargetAddress(int line, string value)
    {
        DestinationAddress address;
        try
        {
            address = DestinationAddress.Parse(value);
        }
        catch (SubvolException exception)
        {
            throw Error(line, $"target: {exception.Message}");
        }

        if (!address.IsRemote && !Path.IsPathRooted(value))
        {
            throw Error(line, $"target = {value} is not an absolute path; write a local pool's directory from / (target = /backup/pool) or ssh://[user@]host[:port]/POOL");
        }

        return address.ToString();
    }

    private TimeSpan Timeout(int line, string value)
    {
        var unit = value.Length > 1 ? value[^1] : ' ';
        if (unit is 's' or 'm' && int.TryParse(value.AsSpan(0, value.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0)
        {
            var timeout = unit == 's' ? TimeSpan.FromSeconds(count) : TimeSpan.FromMinutes(count);
            if (timeout <= MaximumHookTimeout)
            {
                return timeout;
            }
        }

        throw Error(line, $"hook_timeout = {value} is not a duration; write seconds or minutes with their unit, such as hook_timeout = 30s or hook_timeout = 5m (at most 24 hours)");
    }

    private static string? TemplateNameProblem(string name) =>
        name.Length == 0 ? "the name is empty"
        : GlobPattern.IsGlob(name) ? "a template name cannot be a glob"
        : NameRules.Problem(name);

    private static string? SubvolumePatternProblem(string pattern)
    {
        if (!GlobPattern.IsGlob(pattern))
        {
            return NameRules.Problem(pattern);
        }

        if (pattern.Length > NameRules.MaximumLength)
        {
            return $"a glob can be at most {NameRules.MaximumLength} characters";
        }

        var outside = pattern.FirstOrDefault(character => !char.IsAsciiLetterOrDigit(character) && !NameCharacters.Contains(character) && !GlobCharacters.Contains(character));
        if (outside != default)
        {
            return $"a glob can contain only {NameRules.AllowedCharacters} and * ? [ ] ! ^; {Printable.Quote(outside.ToString())} is not allowed";
        }

        return GlobPattern.Problem(pattern);
    }

    private static Interval CountInterval(string key) =>
        IntervalNames.FinestFirst.First(interval => IntervalNames.CountKey(interval) == key);

    private static string Bucket(Interval interval) => interval switch
    {
        Interval.Frequent => "frequent period",
        Interval.Hourly => "hour",
        Interval.Daily => "day",
        Interval.Weekly => "week",
        Interval.Monthly => "month",
        _ => "year",
    };

    private SubvolException Error(int line, string message) => SubvolException.Invalid($"{path}:{line}: {message}");

    private static Dictionary<string, string> BuildKeys()
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var key in new[] { UseTemplate, Keep, KeepMinimum, FrequentPeriod, TakeSnapshots, Prune, PoolKey, Target, TargetKeep, TargetKeepMinimum,
                     BeforeSnapshot, AfterSnapshot, HookTimeout, PruneUnreplicated })
        {
            keys[key] = key;
        }

        foreach (var interval in IntervalNames.FinestFirst)
        {
            keys[IntervalNames.CountKey(interval)] = IntervalNames.CountKey(interval);
        }

        // btrbk's names for the same settings.
        keys["snapshot_preserve"] = Keep;
        keys["snapshot_preserve_min"] = KeepMinimum;
        keys["target_preserve"] = TargetKeep;
        keys["target_preserve_min"] = TargetKeepMinimum;
        return keys;
    }
}
