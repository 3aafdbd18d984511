using Subvol.Errors;
using Subvol.Names;
using Subvol.Space;

namespace Subvol.Subvolumes;

/// <summary>
/// The properties of a subvolume that change in place, read whole from KEY=VALUE pairs before anything
/// changes, so that one bad pair refuses them all. Values are never quoted in errors: the CSI driver's
/// messages reach its log, where parameter values stay out.
/// </summary>
public sealed record SubvolumeSettings(Provisioning? Provisioning)
{
    public const string ProvisioningKey = "provisioning";

    /// <summary>The keys that can change, for messages.</summary>
    public static IReadOnlyList<string> Keys { get; } = [ProvisioningKey];

    /// <summary>Settings written as KEY=VALUE words, as the command line takes them.</summary>
    public static SubvolumeSettings Parse(IEnumerable<string> assignments) =>
        Parse(assignments.Select(assignment => assignment.IndexOf('=') is > 0 and var equals
            ? KeyValuePair.Create(assignment[..equals], assignment[(equals + 1)..])
            : throw SubvolException.Invalid($"{Printable.Quote(assignment)} is not a setting: write KEY=VALUE, such as {ProvisioningKey}={ProvisioningNames.Thin}")));

    public static SubvolumeSettings Parse(IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var list = pairs.ToList();
        if (list.Count == 0)
        {
            throw SubvolException.Invalid($"no setting given: name one as KEY=VALUE, such as {ProvisioningKey}={ProvisioningNames.Thin}");
        }

        var unknown = list.Select(pair => pair.Key).Where(key => !Keys.Contains(key)).ToList();
        if (unknown.Count > 0)
        {
            throw SubvolException.Invalid(
                $"unknown setting{(unknown.Count > 1 ? "s" : "")} {string.Join(", ", unknown.Select(Printable.Quote))}: the settings that change in place are {string.Join(", ", Keys)}");
        }

        Provisioning? provisioning = null;
        foreach (var (_, value) in list)
        {
            var parsed = value switch
            {
                ProvisioningNames.Guaranteed => Space.Provisioning.Guaranteed,
                ProvisioningNames.Thin => Space.Provisioning.Thin,
                _ => throw SubvolException.Invalid($"setting {ProvisioningKey} must be {ProvisioningNames.Guaranteed} or {ProvisioningNames.Thin}"),
            };
            if (provisioning is not null && provisioning != parsed)
            {
                throw SubvolException.Invalid($"setting {ProvisioningKey} is given twice with different values; give it once");
            }

            provisioning = parsed;
        }

        return new SubvolumeSettings(provisioning);
    }
}
