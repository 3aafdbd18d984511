using Subvol.Errors;
using Subvol.Names;

namespace Subvol.Space;

/// <summary>The spelling of provisioning modes on the command line and in the metadata.</summary>
public static class ProvisioningNames
{
    public const string Guaranteed = "guaranteed";
    public const string Thin = "thin";

    public static string Format(Provisioning provisioning) => provisioning == Provisioning.Guaranteed ? Guaranteed : Thin;

    public static Provisioning Parse(string text) => text switch
    {
        Guaranteed => Provisioning.Guaranteed,
        Thin => Provisioning.Thin,
        _ => throw SubvolException.Invalid($"unknown provisioning {Printable.Quote(text)}: choose guaranteed or thin"),
    };
}
